#include "crmsync/normalize/phone.hpp"

#include <utility>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "crmsync/normalize/text.hpp"
#include "normalize/phone_fast_path.hpp"

namespace crmsync::normalize {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

struct PhoneNormalizer::Impl {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  // libphonenumber's own answer for the common shapes of input, without its per-call ICU regex cost. Built on
  // first use (tens of milliseconds), so a pipeline that parses no phone number does not pay for it.
  static const detail::PhoneFastPath& fast() { return detail::PhoneFastPath::instance(); }
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

constexpr const char* kNotValidForRegion = "not a valid number for its region";

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

void applyFastOutcome(detail::FastPhoneOutcome&& f, PhoneResult& r) {
  if (f.error != PhoneNumberUtil::NO_PARSING_ERROR) {
    r.reason = parseErrorText(f.error);
    return;
  }
  if (r.extension.empty()) r.extension = std::move(f.extension);
  if (!f.valid) {
    r.reason = kNotValidForRegion;
  } else {
    r.e164 = std::move(f.e164);
    r.valid = true;
  }
}

}  // namespace

PhoneResult PhoneNormalizer::normalize(std::string_view raw, std::string_view defaultRegion) const {
  PhoneResult r;
  // Plain ASCII digits and separators (maybe an "ext"/"x" extension): trimming, NFKC and the Chinese extension
  // markers change nothing there.
  if (auto fast = impl_->fast().normalize(raw, defaultRegion)) {
    applyFastOutcome(std::move(*fast), r);
    return r;
  }
  // NFKC turns full-width digits and ＋ into ASCII before libphonenumber sees them.
  std::string number = nfkc(trim(raw));
  splitChineseExtension(number, r.extension);
  if (number.empty()) {
    r.reason = "empty";
    return r;
  }
  if (auto fast = impl_->fast().normalize(number, defaultRegion)) {  // full-width digits, 转 extensions...
    applyFastOutcome(std::move(*fast), r);
    return r;
  }
  // Letters, extensions, unusual punctuation: libphonenumber itself.
  PhoneNumber parsed;
  auto err = impl_->util->Parse(number, std::string(defaultRegion), &parsed);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    r.reason = parseErrorText(err);
    return r;
  }
  if (r.extension.empty() && parsed.has_extension()) r.extension = parsed.extension();
  if (!impl_->util->IsValidNumber(parsed)) {
    r.reason = kNotValidForRegion;
    return r;
  }
  impl_->util->Format(parsed, PhoneNumberUtil::E164, &r.e164);
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
