// What crmsync needs from GMime beyond its defaults: one-time initialisation, lenient parser options for the
// mail real senders write, and the gaps in GMime 3.2's RFC 2047 decoding (multi-byte characters split across
// adjacent encoded words; GB2312/GBK labels whose bytes are really GB18030).
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <string_view>
#include <vector>

namespace crmsync::email {

/// Initialises GMime once per process (thread-safe) and returns the parser options every message is read with:
/// RFC 2047 and address parsing in LOOSE mode (encoded words inside quotes, as Outlook and Foxmail write them)
/// and UTF-8 then GB18030 as the fallbacks for unlabelled 8-bit text. Owned by this module; never freed.
GMimeParserOptions* parserOptions();

/// The iconv name a declared charset is decoded with: GB2312, GBK, EUC-CN and CP936 become GB18030 (their
/// superset, which real "GB2312" mail needs); other names go through GMime's charset map.
std::string decodingCharset(std::string_view declared);

/// A header value ready for GMime's RFC 2047 decoder: unfolded, adjacent encoded words of one charset and
/// encoding joined into one word (so a character split across them decodes whole), GB2312-family labels
/// relabelled GB18030. Text outside encoded words is left as it is.
std::string prepareEncodedWords(std::string_view rawValue);

/// Charsets named by the encoded words of a header value that iconv cannot convert from.
std::vector<std::string> undecodableCharsets(std::string_view rawValue);

/// Converts bytes in a declared charset to UTF-8 (invalid sequences replaced). ok is false when the charset is
/// unknown to iconv; text then holds the bytes made valid UTF-8 as a best effort.
struct Converted {
  std::string text;
  bool ok = true;
};
Converted toUtf8(std::string_view bytes, std::string_view charset);

/// Makes any byte string valid UTF-8 (invalid bytes become U+FFFD) without NUL characters.
std::string validUtf8(std::string_view bytes);

/// Owns one GObject reference.
template <typename T>
class GRef {
 public:
  GRef() = default;
  explicit GRef(T* p) : p_(p) {}
  ~GRef() {
    if (p_) g_object_unref(p_);
  }
  GRef(GRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  GRef& operator=(GRef&& o) noexcept {
    if (this != &o) {
      if (p_) g_object_unref(p_);
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  GRef(const GRef&) = delete;
  GRef& operator=(const GRef&) = delete;
  T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

/// Takes ownership of a g_malloc'ed string; null becomes empty.
std::string takeGString(char* s);

}  // namespace crmsync::email
