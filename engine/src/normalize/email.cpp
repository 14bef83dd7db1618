#include "crmsync/normalize/email.hpp"

#include <algorithm>

#include "crmsync/normalize/text.hpp"

namespace crmsync::normalize {
namespace {

// RFC 5322 atext plus '.', for the unquoted local parts that real CRMs hold. Quoted local parts are rare
// enough in customer data that we flag them rather than accept them silently.
bool isLocalChar(unsigned char c) {
  if (c >= 0x80) return true;  // internationalized addresses (RFC 6531)
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '/':
    case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~': case '.':
      return true;
    default:
      return false;
  }
}

bool isDomainChar(unsigned char c) {
  return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Applied after the syntax check, so local and domain are known to be well-formed.
void applyOptions(std::string& value, size_t at, const EmailOptions& options) {
  std::string local = value.substr(0, at);
  std::string domain = value.substr(at + 1);
  const bool gmail = options.providerRules && (domain == "gmail.com" || domain == "googlemail.com");
  if (gmail || options.stripTags) {
    // A local part that is only "+tag" keeps it: removing everything would leave no address.
    if (auto plus = local.find('+'); plus != std::string::npos && plus > 0) local.resize(plus);
  }
  if (gmail) {
    local.erase(std::remove(local.begin(), local.end(), '.'), local.end());
    domain = "gmail.com";
  }
  value = local + "@" + domain;
}

}  // namespace

EmailResult normalizeEmail(std::string_view raw, const EmailOptions& options) {
  EmailResult r;
  r.raw = std::string(raw);
  std::string value = lower(nfkc(trim(raw)));
  // "Name <addr>" pasted into an e-mail column: keep the address.
  if (auto open = value.rfind('<'); open != std::string::npos && !value.empty() && value.back() == '>') {
    value = trim(value.substr(open + 1, value.size() - open - 2));
  }
  if (value.rfind("mailto:", 0) == 0) value.erase(0, 7);
  r.value = value;

  auto at = value.rfind('@');
  if (value.empty()) {
    r.reason = "empty";
    return r;
  }
  if (at == std::string::npos) {
    r.reason = "no '@'";
    return r;
  }
  std::string_view local(value.data(), at);
  std::string_view domain(value.data() + at + 1, value.size() - at - 1);
  if (local.empty() || local.size() > 64) {
    r.reason = "local part is empty or longer than 64 characters";
    return r;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    r.reason = "misplaced '.' in local part";
    return r;
  }
  for (unsigned char c : local) {
    if (!isLocalChar(c)) {
      r.reason = std::string("character '") + static_cast<char>(c) + "' not allowed in local part";
      return r;
    }
  }
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) {
    r.reason = "domain has no '.'";
    return r;
  }
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    r.reason = "misplaced '.' in domain";
    return r;
  }
  size_t labelStart = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(labelStart, i - labelStart);
      if (label.size() > 63 || label.front() == '-' || label.back() == '-') {
        r.reason = "invalid domain label '" + std::string(label) + "'";
        return r;
      }
      labelStart = i + 1;
      continue;
    }
    if (!isDomainChar(static_cast<unsigned char>(domain[i]))) {
      r.reason = std::string("character '") + domain[i] + "' not allowed in domain";
      return r;
    }
  }
  applyOptions(r.value, at, options);
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
