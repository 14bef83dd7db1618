#include "gmime_support.hpp"

#include <cerrno>
#include <iconv.h>
#include <libxml/parser.h>
#include <unordered_map>

namespace crmsync::email {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(g_ascii_tolower(c));
  return out;
}

bool isGbFamily(std::string_view name) {
  const std::string n = lower(name);
  return n == "gb2312" || n == "gbk" || n == "euc-cn" || n == "x-euc-cn" || n == "cp936" || n == "x-gbk" ||
         n == "csgb2312" || n == "gb_2312-80" || n == "windows-936" || n == "ms936" || n == "gb18030";
}

// One RFC 2047 encoded word found in a header value.
struct EncodedWord {
  size_t begin = 0;  // offset of "=?"
  size_t end = 0;    // offset just past "?="
  std::string charset;  // without an RFC 2231 "*language" suffix
  char encoding = 0;    // 'B' or 'Q'
  std::string_view text;
};

bool findEncodedWord(std::string_view s, size_t from, EncodedWord& out) {
  for (size_t at = s.find("=?", from); at != std::string_view::npos; at = s.find("=?", at + 1)) {
    size_t q1 = s.find('?', at + 2);
    if (q1 == std::string_view::npos || q1 == at + 2 || q1 - at > 66) continue;
    std::string_view cs = s.substr(at + 2, q1 - at - 2);
    if (cs.find_first_of(" \t\r\n\"()<>,;") != std::string_view::npos) continue;
    if (q1 + 2 >= s.size() || s[q1 + 2] != '?') continue;
    char enc = static_cast<char>(g_ascii_toupper(s[q1 + 1]));
    if (enc != 'B' && enc != 'Q') continue;
    size_t close = s.find("?=", q1 + 3);
    if (close == std::string_view::npos) return false;
    std::string_view text = s.substr(q1 + 3, close - q1 - 3);
    if (text.find_first_of(" \t\r\n") != std::string_view::npos) continue;
    out.begin = at;
    out.end = close + 2;
    out.charset = std::string(cs.substr(0, cs.find('*')));
    out.encoding = enc;
    out.text = text;
    return true;
  }
  return false;
}

std::string base64Bytes(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded += '=';
  gsize len = 0;
  guchar* raw = g_base64_decode(padded.c_str(), &len);
  std::string out(reinterpret_cast<const char*>(raw), len);
  g_free(raw);
  return out;
}

std::string base64Text(const std::string& bytes) {
  return takeGString(g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size()));
}

// One converter to UTF-8 per charset and thread, kept open for the process: opening one loads glibc's gconv
// module and closing the last unloads it, which cost more than parsing the message when done per header.
// Keeping one open also keeps the module loaded for GMime's own conversions. Null: iconv cannot convert it.
iconv_t cachedConverter(const std::string& charset);

// GMime opens and closes a converter for every encoded word it decodes; with one kept open per common charset
// the gconv module stays loaded and those opens are table look-ups instead of dlopen/dlclose pairs.
void keepCommonConvertersLoaded() {
  static const bool done = [] {
    for (const char* cs : {"GB18030", "GBK", "BIG5", "ISO-8859-1", "ISO-8859-2", "ISO-8859-15", "CP1252", "CP1251",
                           "KOI8-R", "SHIFT_JIS", "EUC-JP", "ISO-2022-JP", "EUC-KR", "UTF-16", "UTF-7"}) {
      iconv_t cd = g_mime_iconv_open("UTF-8", cs);
      (void)cd;  // never closed: process lifetime
    }
    return true;
  }();
  (void)done;
}

iconv_t cachedConverter(const std::string& charset) {
  thread_local std::unordered_map<std::string, iconv_t> converters;
  auto it = converters.find(charset);
  if (it != converters.end()) return it->second;
  iconv_t cd = g_mime_iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) cd = nullptr;
  converters.emplace(charset, cd);
  return cd;
}

}  // namespace

std::string takeGString(char* s) {
  if (!s) return {};
  std::string out(s);
  g_free(s);
  return out;
}

GMimeParserOptions* parserOptions() {
  static GMimeParserOptions* options = [] {
    g_mime_init();
    GMimeParserOptions* o = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(o, FALSE);
    const char* fallback[] = {"UTF-8", "GB18030", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(o, fallback);
    xmlInitParser();
    keepCommonConvertersLoaded();
    return o;
  }();
  return options;
}

std::string decodingCharset(std::string_view declared) {
  if (isGbFamily(declared)) return "GB18030";
  std::string name(declared);
  const char* mapped = g_mime_charset_iconv_name(name.c_str());
  return mapped ? mapped : name;
}

std::string prepareEncodedWords(std::string_view rawValue) {
  // Most values have no encoded word and no fold: nothing to prepare.
  if (rawValue.find("=?") == std::string_view::npos && rawValue.find('\n') == std::string_view::npos) {
    return std::string(rawValue);
  }
  parserOptions();
  std::string unfolded = takeGString(g_mime_utils_header_unfold(std::string(rawValue).c_str()));
  std::string_view s = unfolded;
  std::string out;
  out.reserve(s.size());
  size_t copied = 0;
  EncodedWord word;
  size_t from = 0;
  while (findEncodedWord(s, from, word)) {
    out.append(s.substr(copied, word.begin - copied));
    std::string charset = isGbFamily(word.charset) ? std::string("GB18030") : word.charset;
    std::string bytes = word.encoding == 'B' ? base64Bytes(word.text) : std::string();
    std::string qtext = word.encoding == 'Q' ? std::string(word.text) : std::string();
    size_t end = word.end;
    // Join the following words of the same charset and encoding separated only by white space.
    EncodedWord next;
    while (findEncodedWord(s, end, next)) {
      std::string_view gap = s.substr(end, next.begin - end);
      if (gap.find_first_not_of(" \t") != std::string_view::npos) break;
      std::string nextCharset = isGbFamily(next.charset) ? std::string("GB18030") : next.charset;
      if (g_ascii_strcasecmp(nextCharset.c_str(), charset.c_str()) != 0 || next.encoding != word.encoding) break;
      if (word.encoding == 'B') bytes += base64Bytes(next.text);
      else qtext += next.text;
      end = next.end;
    }
    out += "=?" + charset + "?" + word.encoding + "?";
    out += word.encoding == 'B' ? base64Text(bytes) : qtext;
    out += "?=";
    copied = end;
    from = end;
  }
  out.append(s.substr(copied));
  return out;
}

std::vector<std::string> undecodableCharsets(std::string_view rawValue) {
  std::vector<std::string> bad;
  if (rawValue.find("=?") == std::string_view::npos) return bad;
  EncodedWord word;
  size_t from = 0;
  while (findEncodedWord(rawValue, from, word)) {
    from = word.end;
    if (!cachedConverter(decodingCharset(word.charset))) {
      bool seen = false;
      for (const auto& b : bad) seen = seen || b == word.charset;
      if (!seen) bad.push_back(word.charset);
    }
  }
  return bad;
}

std::string validUtf8(std::string_view bytes) {
  const char* end = nullptr;
  if (g_utf8_validate(bytes.data(), static_cast<gssize>(bytes.size()), &end) &&
      bytes.find('\0') == std::string_view::npos) {
    return std::string(bytes);
  }
  std::string out = takeGString(g_utf8_make_valid(bytes.data(), static_cast<gssize>(bytes.size())));
  std::erase(out, '\0');
  return out;
}

Converted toUtf8(std::string_view bytes, std::string_view charset) {
  parserOptions();
  std::string cs = decodingCharset(charset);
  const std::string l = lower(cs);
  if (l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii") return {validUtf8(bytes), true};
  iconv_t cd = cachedConverter(cs);
  if (!cd) return {validUtf8(bytes), false};
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
  std::string out;
  out.reserve(bytes.size() * 3 / 2 + 16);
  char buf[8192];
  char* in = const_cast<char*>(bytes.data());
  size_t inLeft = bytes.size();
  while (inLeft > 0) {
    char* o = buf;
    size_t oLeft = sizeof buf;
    size_t rc = iconv(cd, &in, &inLeft, &o, &oLeft);
    out.append(buf, static_cast<size_t>(o - buf));
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    out += "\xEF\xBF\xBD";  // U+FFFD for a byte the charset cannot map, or a sequence cut at the end
    if (errno == EINVAL) break;
    ++in;
    --inLeft;
  }
  char* o = buf;
  size_t oLeft = sizeof buf;
  iconv(cd, nullptr, nullptr, &o, &oLeft);
  out.append(buf, static_cast<size_t>(o - buf));
  std::erase(out, '\0');
  return {std::move(out), true};
}

}  // namespace crmsync::email
