// UTF-8 helpers for the comparators and key transforms: a lenient decoder (a bad byte becomes U+FFFD so one
// broken value cannot stop a matching run) and a code-point buffer that lives on the stack for short strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace crmsync::match::detail {

inline bool isAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

/// Decodes the code point at s[i] and advances i past it.
inline char32_t nextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int need = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<size_t>(need) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k <= need; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += static_cast<size_t>(need) + 1;
  return cp;
}

/// Number of code points (a bad byte counts as one).
inline size_t codePointCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    nextCodePoint(s, i);
    ++n;
  }
  return n;
}

/// Byte length of the first `n` code points of s (all of s when it is shorter).
inline size_t prefixBytes(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < s.size(); ++k) nextCodePoint(s, i);
  return i;
}

/// The code points of a string. Strings of up to kStack bytes decode into the object itself; longer ones
/// allocate, which only happens for values far longer than names.
class CodePoints {
 public:
  static constexpr size_t kStack = 64;

  explicit CodePoints(std::string_view s) {
    char32_t* out = stack_;
    if (s.size() > kStack) {
      heap_ = std::make_unique<char32_t[]>(s.size());
      out = heap_.get();
    }
    size_t n = 0;
    for (size_t i = 0; i < s.size();) out[n++] = nextCodePoint(s, i);
    data_ = out;
    size_ = n;
  }
  CodePoints(const CodePoints&) = delete;
  CodePoints& operator=(const CodePoints&) = delete;

  const char32_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  char32_t stack_[kStack];
  std::unique_ptr<char32_t[]> heap_;
  const char32_t* data_ = nullptr;
  size_t size_ = 0;
};

inline void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

/// Token separators: Unicode white space and ASCII punctuation, except the apostrophe (O'Brien) and '&'
/// (Johnson & Johnson), which belong to the token.
inline bool isTokenSeparator(char32_t c) {
  if (c < 0x80) {
    if (c == '\'' || c == '&') return false;
    return !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  }
  switch (c) {
    case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
    case 0x3001: case 0x3002: case 0xFF0C: case 0x30FB:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

/// Calls f(token) for each token of s (see isTokenSeparator).
template <typename F>
void forEachToken(std::string_view s, F&& f) {
  size_t start = 0;
  bool inToken = false;
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    const char32_t c = nextCodePoint(s, i);
    if (isTokenSeparator(c)) {
      if (inToken) f(s.substr(start, at - start));
      inToken = false;
    } else if (!inToken) {
      inToken = true;
      start = at;
    }
  }
  if (inToken) f(s.substr(start));
}

}  // namespace crmsync::match::detail
