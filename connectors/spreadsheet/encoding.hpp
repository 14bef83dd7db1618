// Turning the bytes of a text file into UTF-8: BOM detection, strict UTF-8 validation and the GB18030 fallback
// that covers what Chinese Excel writes when it saves "CSV" (GBK, no BOM).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::spreadsheet {

/// What the `encoding` config key asks for. Auto means BOM, then strict UTF-8, then GB18030.
enum class TextEncoding { Auto, Utf8, Gb18030 };

/// Parses a config value: auto, utf-8 (utf8), gb18030 (gbk and gb2312 are its subsets). Case-insensitive.
std::optional<TextEncoding> parseTextEncoding(std::string_view name);

/// How much of a buffer is valid UTF-8.
struct Utf8Scan {
  size_t firstInvalid = std::string_view::npos;  // offset of the first bad byte, npos when all is valid
  size_t invalidSequences = 0;
  size_t multibyteSequences = 0;  // valid sequences of 2 to 4 bytes
};

/// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF) with an ASCII fast path.
Utf8Scan scanUtf8(std::string_view bytes);
inline bool isValidUtf8(std::string_view bytes) { return scanUtf8(bytes).firstInvalid == std::string_view::npos; }

/// Converts bytes in an ICU charset ("GB18030", "UTF-16LE"...) to UTF-8. Unmappable bytes become U+FFFD and are
/// counted in *substitutions. Throws sdk::Error(CRMSYNC_ERR_INTERNAL) when ICU itself fails.
std::string convertToUtf8(std::string_view bytes, const char* charset, size_t* substitutions);

/// Replaces every byte that is not part of valid UTF-8 by "\xNN", so raw input can go to quarantine as text.
std::string escapeInvalidUtf8(std::string_view bytes);

/// A whole file as UTF-8 text. The text either borrows the input buffer (already UTF-8) or owns a conversion.
class DecodedText {
 public:
  DecodedText(const DecodedText&) = delete;
  DecodedText& operator=(const DecodedText&) = delete;
  DecodedText(DecodedText&&) = default;
  DecodedText& operator=(DecodedText&&) = default;

  /// Decodes a file's bytes as `encoding` asks; a UTF-8 BOM is always stripped.
  static DecodedText decode(std::string_view bytes, TextEncoding encoding);

  std::string_view text() const { return owned_ ? std::string_view(*owned_) : borrowed_; }
  /// True when text() is the input's own bytes (UTF-8, after any byte order mark): offsets carry over.
  bool borrowsInput() const { return !owned_; }
  /// The encoding used, for log lines: "utf-8", "utf-8 (BOM)", "gb18030", "utf-16le"...
  const std::string& encodingName() const { return encodingName_; }
  /// True when the text is meant to be UTF-8 but has bad bytes: each row must be checked and bad ones rejected.
  bool rowsNeedUtf8Check() const { return rowsNeedUtf8Check_; }
  /// Byte sequences a converter could not map; rows holding U+FFFD are then suspect.
  size_t substitutions() const { return substitutions_; }

 private:
  DecodedText() = default;

  std::string_view borrowed_;
  std::optional<std::string> owned_;
  std::string encodingName_;
  bool rowsNeedUtf8Check_ = false;
  size_t substitutions_ = 0;
};

}  // namespace crmsync::spreadsheet
