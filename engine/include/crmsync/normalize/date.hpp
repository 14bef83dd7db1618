// Dates and date-times in the formats CRM exports and people use, to ISO 8601: a date stays a date
// ("2024-03-05"); a date-time becomes UTC ("2024-03-05T02:00:00Z"), read in its own offset when it has one and in
// the configured IANA time zone (through ICU) when it has none.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace crmsync::normalize {

struct DateOptions {
  /// How "03/05/2024" and "03-05-2024" are read: 3 May when true, 5 March when false. Dotted dates
  /// ("5.3.2024") are always day first, and a first number above 12 is always a day.
  bool dayFirst = false;
  /// IANA zone for date-times written without an offset, e.g. "Asia/Shanghai".
  std::string timeZone = "UTC";
  /// Whether a plain number of up to five digits ("45356", "45356.5") is an Excel serial date.
  bool excelSerial = false;
};

struct DateResult {
  std::string raw;    // the input as given
  std::string value;  // ISO 8601 when valid, else the trimmed input
  bool hasTime = false;
  bool valid = false;
  std::string reason;  // why the value is not a date
};

/// Thread-safe after construction; construct once per stage (it compiles patterns and loads the time zone).
class DateNormalizer {
 public:
  /// Unknown zones fall back to UTC; check them first with isKnownTimeZone.
  explicit DateNormalizer(DateOptions options = {});
  ~DateNormalizer();
  DateNormalizer(const DateNormalizer&) = delete;
  DateNormalizer& operator=(const DateNormalizer&) = delete;

  DateResult normalize(std::string_view raw) const;

  /// Whether ICU knows the zone ("Asia/Shanghai", "Europe/Berlin", "UTC").
  static bool isKnownTimeZone(std::string_view id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::normalize
