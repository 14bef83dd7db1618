#include "crmsync/http/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace crmsync::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool containsAny(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

// Redacts sensitive values in "a=1&token=x" (also accepts ';' as a separator, as some signers use).
std::string redactQuery(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find_first_of("&;", pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && isSensitiveQueryName(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append(kRedacted);
    } else {
      out.append(pair);
    }
    if (end < query.size()) out.push_back(query[end]);
    pos = end + 1;
  }
  return out;
}

}  // namespace

bool isSensitiveHeader(std::string_view name) {
  std::string n = lower(name);
  static constexpr std::array<std::string_view, 5> kExact = {"authorization", "proxy-authorization", "cookie",
                                                             "set-cookie", "x-api-key"};
  if (std::find(kExact.begin(), kExact.end(), n) != kExact.end()) return true;
  return containsAny(n, {"token", "secret", "password", "api-key", "apikey", "api_key", "auth", "session",
                         "signature"});
}

bool isSensitiveQueryName(std::string_view name) {
  std::string n = lower(name);
  // Substrings rather than a fixed list: a false positive hides a harmless value, a miss leaks a credential.
  return containsAny(n, {"token", "key", "password", "passwd", "pwd", "secret", "sig", "auth", "credential",
                         "session", "code"});
}

std::string redactHeaderValue(std::string_view name, std::string_view value) {
  return isSensitiveHeader(name) ? std::string(kRedacted) : std::string(value);
}

std::string redactUrl(std::string_view url) {
  std::string out;
  std::string_view rest = url;
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    out.append(url.substr(0, scheme + 3));
    rest = url.substr(scheme + 3);
    size_t authorityEnd = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authorityEnd);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      out.append(kRedacted).push_back('@');
      rest.remove_prefix(at + 1);
    }
  }
  size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  size_t hash = query.find('#');
  out.append(redactQuery(query.substr(0, hash)));
  if (hash != std::string_view::npos) out.append(query.substr(hash));
  return out;
}

std::string redactText(std::string_view text) {
  static const std::regex kUrl(R"([A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+)");
  static const std::regex kHeader(
      R"(\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key)(\s*[:=]\s*)[^\r\n]*)",
      std::regex::icase);
  static const std::regex kScheme(R"(\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=:-]+)", std::regex::icase);
  static const std::regex kPair(R"(\b([A-Za-z_][A-Za-z0-9_.-]*)=([^&\s"',;]+))");

  std::string s(text);
  std::string out;
  // URLs first, so their userinfo and query go through the URL rules.
  auto begin = std::sregex_iterator(s.begin(), s.end(), kUrl);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out.append(s, last, it->position() - last);
    out.append(redactUrl(it->str()));
    last = it->position() + it->length();
  }
  out.append(s, last);

  out = std::regex_replace(out, kHeader, "$1$2REDACTED");
  out = std::regex_replace(out, kScheme, "$1 REDACTED");
  std::string result;
  last = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kPair); it != std::sregex_iterator(); ++it) {
    result.append(out, last, it->position() - last);
    if (isSensitiveQueryName((*it)[1].str())) {
      result.append((*it)[1].str()).append("=").append(kRedacted);
    } else {
      result.append(it->str());
    }
    last = it->position() + it->length();
  }
  result.append(out, last);
  return result;
}

}  // namespace crmsync::http
