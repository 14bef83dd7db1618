// Phone numbers to E.164 through libphonenumber, with a default region for numbers written nationally.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace crmsync::normalize {

struct PhoneResult {
  std::string e164;       // "+8613800138000" when valid
  std::string extension;  // digits after "ext", "x", "#" or "转"; empty when none
  bool valid = false;
  std::string reason;     // why the number is not valid
};

/// Thread-safe after construction; construct once per stage, not per value.
class PhoneNormalizer {
 public:
  PhoneNormalizer();
  ~PhoneNormalizer();

  /// Parses raw (any common national or international format) with defaultRegion ("CN", "US"...) for numbers
  /// without a country code.
  PhoneResult normalize(std::string_view raw, std::string_view defaultRegion) const;

  /// Whether a two-letter region code is known to libphonenumber.
  bool isKnownRegion(std::string_view region) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::normalize
