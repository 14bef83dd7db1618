// Splits an mbox file into messages in place. A message starts at a From_ line ("From " at the start of the
// file or after a blank line, with a time and a year somewhere on the line: Python's mailbox, Google Takeout's
// "From 1826...@xxx Tue Mar 11 01:31:25 +0000 2025" and Thunderbird's "From - ..." all qualify, prose such as
// "From here on" does not). A message is complete when the next From_ line follows it, or, at the end of the
// file, when a blank line closes it; a message still being written is left for the next run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::email {

/// How body lines that start with "From " were quoted: mboxrd (">From " and ">>From " gain one '>', the
/// reader strips one from every ^>+From ) or mboxo (only ^>From  is unquoted; ">>From " stays).
enum class MboxQuoting { Mboxrd, Mboxo };

/// True when `line` (without its line break) reads as a From_ separator line.
bool isFromLine(std::string_view line);

/// True when the file's first line is a From_ line (what format auto-detection checks).
bool looksLikeMbox(std::string_view bytes);

struct MboxMessage {
  size_t offset = 0;     // byte offset of the From_ line
  std::string_view raw;  // the message after the From_ line, without the separating blank line
};

/// Iterates over the complete messages of bytes from `start`, which must be 0 or the offset of a From_ line.
/// atEnd: bytes run to the end of the file, so a last message closed by a blank line is complete; otherwise
/// bytes are a window of a longer file and the last message waits for the next window.
class MboxScanner {
 public:
  MboxScanner(std::string_view bytes, size_t start, bool atEnd = true);
  /// The next complete message; false at the end (or at a message still being written).
  bool next(MboxMessage& out);
  /// Offset just past the last complete message returned (where the next run starts).
  size_t consumed() const { return consumed_; }
  /// Bytes before the first From_ line when scanning from 0 (junk or a non-mbox header), if any non-blank.
  std::optional<std::string_view> leadingJunk() const { return junk_; }

 private:
  size_t findFromLine(size_t from) const;  // offset of the next From_ line start at or after from, or npos

  std::string_view bytes_;
  bool atEnd_;
  size_t pos_;
  size_t consumed_;
  std::optional<std::string_view> junk_;
};

/// The message with one level of From-quoting removed; returns raw itself (no copy) when there is none.
std::string_view unquoteFromLines(std::string_view raw, MboxQuoting quoting, std::string& storage);

/// Where a run left an mbox: the end of the last complete message and a hash of the bytes before it.
struct MboxCursor {
  uint64_t offset = 0;
  uint64_t windowHash = 0;
  static constexpr size_t kWindow = 4096;

  /// The cursor for a file whose first `offset` bytes were read.
  static MboxCursor at(std::string_view bytes, size_t offset);
  /// The same, reading the window from an open file. Throws sdk::Error(CRMSYNC_ERR_IO) when it cannot.
  static MboxCursor atFile(int fd, uint64_t offset, const std::string& path);
  /// True when bytes still holds what this cursor saw: long enough, same window hash, and a From_ line (or the
  /// end) at offset. False means the mbox was rewritten or compacted: read it again from the start.
  bool matches(std::string_view bytes) const;
  /// matches() on an open file of `size` bytes, reading only the window and the line at the offset.
  bool matchesFile(int fd, uint64_t size, const std::string& path) const;
  std::string text() const;
  static std::optional<MboxCursor> parse(std::string_view text);  // nullopt: not an mbox cursor
};

}  // namespace crmsync::email
