// Postal addresses: a display value (NFKC, white space cleaned), match tokens (case-folded, common street
// abbreviations written out: "St" and "Street" are both "street"), and the postcode, read by the country's format.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::normalize {

struct AddressResult {
  std::string raw;                  // the input as given
  std::string display;              // NFKC and trimmed
  std::vector<std::string> tokens;  // without the postcode: "10", "downing", "street", "london"
  std::string postcode;             // in the country's usual form ("SW1A 2AA", "94105-1234"); empty when none
  bool valid = false;
  std::string reason;
};

/// Thread-safe after construction; construct once per stage (it compiles the postcode patterns).
class AddressNormalizer {
 public:
  AddressNormalizer();
  ~AddressNormalizer();
  AddressNormalizer(const AddressNormalizer&) = delete;
  AddressNormalizer& operator=(const AddressNormalizer&) = delete;

  /// region is an ISO 3166 code ("CN", "US", "GB", "DE", "AU"...); other or empty regions get a generic
  /// postcode search.
  AddressResult normalize(std::string_view raw, std::string_view region) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::normalize
