// UTF-8 as nlohmann::json accepts it, for the payload writer and reader that handle plain JSON strings
// themselves: no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace crmsync::store {

/// The length of the multi-byte UTF-8 sequence that starts at p (whose first byte is 0x80 or more), or 0 when
/// it is not one nlohmann::json accepts.
inline size_t jsonUtf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return len;
}

/// True when s can stand between two quotes in JSON as it is, and reads back as itself: valid UTF-8 as above,
/// no quote, no backslash, no control character.
inline bool jsonVerbatim(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80) {
      if (*p < 0x20 || *p == '"' || *p == '\\') return false;
      ++p;
      continue;
    }
    const size_t len = jsonUtf8SequenceLength(p, end);
    if (len == 0) return false;
    p += len;
  }
  return true;
}

}  // namespace crmsync::store
