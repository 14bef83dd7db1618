#include "line_decoder.hpp"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

namespace crmsync::phone {
namespace {

bool isAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<LineDecoder> LineDecoder::create(const std::string& encoding, std::string* problem) {
  if (encoding == "utf-8" || encoding == "utf8") return std::unique_ptr<LineDecoder>(new LineDecoder(nullptr));
  const char* icuName = encoding == "gb18030" ? "GB18030" : encoding == "latin1" ? "ISO-8859-1" : nullptr;
  if (!icuName) {
    if (problem) *problem = "'" + encoding + "' is not an encoding this connector reads; write utf-8, gb18030 or latin1";
    return nullptr;
  }
  UErrorCode status = U_ZERO_ERROR;
  UConverter* converter = ucnv_open(icuName, &status);
  if (U_FAILURE(status) || !converter) {
    if (problem) *problem = std::string("ICU has no converter for ") + icuName + ": " + u_errorName(status);
    return nullptr;
  }
  return std::unique_ptr<LineDecoder>(new LineDecoder(converter));
}

LineDecoder::~LineDecoder() {
  if (converter_) ucnv_close(converter_);
}

std::string_view LineDecoder::decode(std::string_view line, bool* replaced) {
  if (isAscii(line)) return line;
  if (!converter_) {
    const auto* s = reinterpret_cast<const uint8_t*>(line.data());
    int32_t length = static_cast<int32_t>(line.size());
    int32_t i = 0;
    bool valid = true;
    while (i < length && valid) {
      UChar32 c;
      U8_NEXT(s, i, length, c);
      valid = c >= 0;
    }
    if (valid) return line;
    buffer_.clear();
    for (i = 0; i < length;) {
      int32_t begin = i;
      UChar32 c;
      U8_NEXT(s, i, length, c);
      if (c < 0) buffer_ += "\xEF\xBF\xBD";
      else buffer_.append(line.substr(static_cast<size_t>(begin), static_cast<size_t>(i - begin)));
    }
    if (replaced) *replaced = true;
    return buffer_;
  }
  UErrorCode status = U_ZERO_ERROR;
  utf16_.resize(line.size() * 2 + 2);
  int32_t n = ucnv_toUChars(converter_, utf16_.data(), static_cast<int32_t>(utf16_.size()), line.data(),
                            static_cast<int32_t>(line.size()), &status);
  if (U_FAILURE(status)) return line;
  int32_t bytes = 0;
  buffer_.resize(static_cast<size_t>(n) * 3 + 1);
  status = U_ZERO_ERROR;
  u_strToUTF8WithSub(buffer_.data(), static_cast<int32_t>(buffer_.size()), &bytes, utf16_.data(), n, 0xFFFD, nullptr,
                     &status);
  if (U_FAILURE(status)) return line;
  buffer_.resize(static_cast<size_t>(bytes));
  return buffer_;
}

}  // namespace crmsync::phone
