// CDR lines as UTF-8. PBXs write caller-ID names in whatever encoding the phone or trunk sent: UTF-8 mostly,
// GBK from some Chinese desk phones, Latin-1 from old European ones.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct UConverter;

namespace crmsync::phone {

class LineDecoder {
 public:
  /// `encoding`: utf-8, gb18030 (which covers GBK and GB2312) or latin1 (ISO-8859-1). Returns nullptr and sets
  /// *problem for another name.
  static std::unique_ptr<LineDecoder> create(const std::string& encoding, std::string* problem);
  ~LineDecoder();
  LineDecoder(const LineDecoder&) = delete;
  LineDecoder& operator=(const LineDecoder&) = delete;

  /// The line in UTF-8: the line itself when it is ASCII, or valid UTF-8 in a UTF-8 file; otherwise a converted
  /// copy, valid until the next call. In a UTF-8 file, bytes that are not UTF-8 become U+FFFD and *replaced is
  /// set, so a stray byte costs one character, not the row.
  std::string_view decode(std::string_view line, bool* replaced);

 private:
  explicit LineDecoder(UConverter* converter) : converter_(converter) {}

  UConverter* converter_;  // nullptr for UTF-8
  std::string buffer_;
  std::u16string utf16_;
};

}  // namespace crmsync::phone
