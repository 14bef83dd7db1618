#include "crmsync/normalize/phone.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "crmsync/normalize/text.hpp"

namespace crmsync::normalize {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

struct PhoneNormalizer::Impl {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
};

PhoneNormalizer::PhoneNormalizer() : impl_(std::make_unique<Impl>()) {}
PhoneNormalizer::~PhoneNormalizer() = default;

bool PhoneNormalizer::isKnownRegion(std::string_view region) const {
  return impl_->util->GetCountryCodeForRegion(std::string(region)) != 0;
}

namespace {

// Chinese writers mark extensions with 转 or 分机, which libphonenumber does not know.
void splitChineseExtension(std::string& number, std::string& extension) {
  for (const char* marker : {"分机", "转"}) {
    auto pos = number.find(marker);
    if (pos == std::string::npos) continue;
    std::string tail = number.substr(pos + std::string_view(marker).size());
    number.resize(pos);
    for (char c : tail) {
      if (c >= '0' && c <= '9') extension += c;
    }
    return;
  }
}

const char* parseErrorText(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "unknown country code";
    case PhoneNumberUtil::NOT_A_NUMBER: return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "too short";
    case PhoneNumberUtil::TOO_LONG_NSN: return "too long";
    default: return "cannot be parsed";
  }
}

}  // namespace

PhoneResult PhoneNormalizer::normalize(std::string_view raw, std::string_view defaultRegion) const {
  PhoneResult r;
  // NFKC turns full-width digits and ＋ into ASCII before libphonenumber sees them.
  std::string number = nfkc(trim(raw));
  splitChineseExtension(number, r.extension);
  if (number.empty()) {
    r.reason = "empty";
    return r;
  }
  PhoneNumber parsed;
  auto err = impl_->util->Parse(number, std::string(defaultRegion), &parsed);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    r.reason = parseErrorText(err);
    return r;
  }
  if (r.extension.empty() && parsed.has_extension()) r.extension = parsed.extension();
  if (!impl_->util->IsValidNumber(parsed)) {
    r.reason = "not a valid number for its region";
    return r;
  }
  impl_->util->Format(parsed, PhoneNumberUtil::E164, &r.e164);
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
