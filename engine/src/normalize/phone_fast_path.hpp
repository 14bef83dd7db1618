// Fast path of PhoneNormalizer: libphonenumber's Parse + IsValidNumber + Format(E164), reproduced for the common
// input shapes from libphonenumber's own compiled metadata, with the metadata patterns compiled once with RE2
// instead of being run through ICU regex on every call. Inputs outside those shapes are left to libphonenumber.
#pragma once

#include <phonenumbers/phonenumberutil.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::normalize::detail {

/// What libphonenumber would have answered for one input.
struct FastPhoneOutcome {
  /// Parse()'s result; the other fields only mean something when this is NO_PARSING_ERROR.
  i18n::phonenumbers::PhoneNumberUtil::ErrorType error = i18n::phonenumbers::PhoneNumberUtil::NO_PARSING_ERROR;
  bool valid = false;  // IsValidNumber()
  std::string e164;    // Format(E164) when valid
  std::string extension;  // the PhoneNumber's extension when parsed
};

/// Immutable after construction; normalize() is safe to call from any number of threads.
class PhoneFastPath {
 public:
  /// Longest input (in bytes) the fast path looks at; longer ones go to libphonenumber.
  static constexpr std::size_t kMaxInput = 64;

  /// The process-wide instance, built on first use (about 30 ms: parses the metadata, compiles ~1,800 patterns).
  static const PhoneFastPath& instance();

  PhoneFastPath();
  ~PhoneFastPath();
  PhoneFastPath(const PhoneFastPath&) = delete;
  PhoneFastPath& operator=(const PhoneFastPath&) = delete;

  /// False when libphonenumber's metadata could not be loaded or holds something the fast path does not
  /// reproduce (a pattern RE2 cannot compile, an unexpected transform rule...): normalize() then always
  /// returns nullopt and every input goes to libphonenumber.
  bool ready() const;

  /// libphonenumber's answer for number with defaultRegion (leading and trailing spaces do not matter), or nullopt
  /// when number is not one of the shapes handled here:
  ///  * ASCII digits, spaces and the separators - . ( ) / with at most one '+', which must come first;
  ///  * the same followed by an extension: "ext", "ext.", "extn", "extension" or "x" (any case), optional spaces
  ///    or hyphens, then its digits (up to 20, or 9 after "x") at the very end;
  ///  * printable ASCII text without any digit ("n/a", "unknown"): not a phone number.
  /// Anything else (other letters, '#', '*', ',', ';', tabs, non-ASCII text, inputs longer than kMaxInput) returns
  /// nullopt and is for libphonenumber itself.
  std::optional<FastPhoneOutcome> normalize(std::string_view number, std::string_view defaultRegion) const;

 private:
  struct Tables;
  std::unique_ptr<Tables> t_;
};

}  // namespace crmsync::normalize::detail
