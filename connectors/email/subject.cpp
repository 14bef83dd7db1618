#include "subject.hpp"

#include "text_summary.hpp"

#include <glib.h>

#include <array>

namespace crmsync::email {
namespace {

// Length of a reply/forward prefix at the start of s (prefix word, optional counter, colon), or 0.
size_t prefixLength(std::string_view s) {
  static constexpr std::array<std::string_view, 11> kWords = {"re", "fwd", "fw", "aw", "sv", "antw", "回复", "答复",
                                                             "转发", "回覆", "轉寄"};
  for (std::string_view w : kWords) {
    if (s.size() < w.size() || g_ascii_strncasecmp(s.data(), w.data(), w.size()) != 0) continue;
    size_t at = w.size();
    while (at < s.size() && s[at] == ' ') ++at;
    if (at < s.size() && (s[at] == '[' || s[at] == '(')) {
      const char close = s[at] == '[' ? ']' : ')';
      size_t j = at + 1;
      while (j < s.size() && g_ascii_isdigit(s[j])) ++j;
      if (j > at + 1 && j < s.size() && s[j] == close) at = j + 1;
    }
    while (at < s.size() && s[at] == ' ') ++at;
    if (at < s.size() && s[at] == ':') return at + 1;
    if (s.substr(at, 3) == "\xEF\xBC\x9A") return at + 3;  // full-width colon
  }
  return 0;
}

}  // namespace

bool hasReplyPrefix(std::string_view subject) {
  while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t')) subject.remove_prefix(1);
  return prefixLength(subject) > 0;
}

std::string normalizedSubject(std::string_view subject) {
  std::string collapsed = collapseAndCut(subject, 1000);
  std::string_view s = collapsed;
  for (;;) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    size_t n = prefixLength(s);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  if (s.empty()) return {};
  gchar* folded = g_utf8_casefold(s.data(), static_cast<gssize>(s.size()));
  gchar* nfc = g_utf8_normalize(folded, -1, G_NORMALIZE_NFC);
  std::string out = nfc ? nfc : folded;
  g_free(nfc);
  g_free(folded);
  return out;
}

}  // namespace crmsync::email
