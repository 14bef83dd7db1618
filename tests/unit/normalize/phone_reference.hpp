// What PhoneNormalizer answered before its fast path: every input straight through libphonenumber (Parse,
// IsValidNumber, Format(E164)). The phone tests hold the fast path to exactly these results.
#pragma once

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <ostream>
#include <string>
#include <string_view>

#include "crmsync/normalize/phone.hpp"
#include "crmsync/normalize/text.hpp"

namespace crmsync::normalize::testing {

inline const char* referenceParseErrorText(i18n::phonenumbers::PhoneNumberUtil::ErrorType e) {
  using i18n::phonenumbers::PhoneNumberUtil;
  switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "unknown country code";
    case PhoneNumberUtil::NOT_A_NUMBER: return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "too short";
    case PhoneNumberUtil::TOO_LONG_NSN: return "too long";
    default: return "cannot be parsed";
  }
}

inline PhoneResult referenceNormalize(std::string_view raw, std::string_view defaultRegion) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneResult r;
  std::string number = nfkc(trim(raw));
  for (const char* marker : {"分机", "转"}) {
    auto pos = number.find(marker);
    if (pos == std::string::npos) continue;
    std::string tail = number.substr(pos + std::string_view(marker).size());
    number.resize(pos);
    for (char c : tail) {
      if (c >= '0' && c <= '9') r.extension += c;
    }
    break;
  }
  if (number.empty()) {
    r.reason = "empty";
    return r;
  }
  PhoneNumber parsed;
  auto err = util->Parse(number, std::string(defaultRegion), &parsed);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    r.reason = referenceParseErrorText(err);
    return r;
  }
  if (r.extension.empty() && parsed.has_extension()) r.extension = parsed.extension();
  if (!util->IsValidNumber(parsed)) {
    r.reason = "not a valid number for its region";
    return r;
  }
  util->Format(parsed, PhoneNumberUtil::E164, &r.e164);
  r.valid = true;
  return r;
}

inline bool samePhoneResult(const PhoneResult& a, const PhoneResult& b) {
  return a.valid == b.valid && a.e164 == b.e164 && a.extension == b.extension && a.reason == b.reason;
}

inline std::string describe(const PhoneResult& r) {
  return std::string("{valid=") + (r.valid ? "true" : "false") + " e164=\"" + r.e164 + "\" extension=\"" +
         r.extension + "\" reason=\"" + r.reason + "\"}";
}

}  // namespace crmsync::normalize::testing
