// Call times: CDR local wall-clock times in a configured IANA zone (through ICU), Twilio's RFC 2822 dates, and
// the ISO 8601 UTC text records carry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class BasicTimeZone;
U_NAMESPACE_END

namespace crmsync::phone {

/// Seconds since 1970-01-01T00:00:00Z as "2024-05-01T08:12:44Z".
std::string formatIsoUtc(int64_t epochSeconds);
/// The GMT calendar day of an instant, "2024-05-01" (Twilio's StartTime filter has day granularity).
std::string formatUtcDate(int64_t epochSeconds);
/// Parses "2024-05-01T08:12:44Z" (what formatIsoUtc writes); std::nullopt otherwise.
std::optional<int64_t> parseIsoUtc(std::string_view text);
/// Parses an RFC 2822 date as Twilio writes it, "Tue, 31 Aug 2010 20:36:29 +0000" (weekday optional, numeric
/// zone or GMT/UT/UTC); std::nullopt when it is not one.
std::optional<int64_t> parseRfc2822(std::string_view text);

/// A time zone that turns the local times CDR writers log ("2018-09-07 11:05:01", no zone) into instants.
/// Not thread-safe (it caches offsets); one per source instance.
class LocalTimeZone {
 public:
  /// `name` is an IANA zone such as "Asia/Shanghai", or "UTC". Returns nullptr and sets *problem when ICU does
  /// not know the zone.
  static std::unique_ptr<LocalTimeZone> create(const std::string& name, std::string* problem);
  ~LocalTimeZone();
  LocalTimeZone(const LocalTimeZone&) = delete;
  LocalTimeZone& operator=(const LocalTimeZone&) = delete;

  /// "YYYY-MM-DD HH:MM:SS" (optionally with fractional seconds, which are dropped, or 'T' between date and time)
  /// in this zone as seconds since the epoch. A wall time that occurs twice (the hour after DST ends) is taken
  /// as the first one; a time skipped by DST is read with the offset in force before the change.
  std::optional<int64_t> toEpoch(std::string_view localTime);

  const std::string& name() const { return name_; }

 private:
  LocalTimeZone(std::string name, icu::BasicTimeZone* zone);
  int64_t offsetForLocal(int64_t localSeconds);

  std::string name_;
  icu::BasicTimeZone* zone_;
  // Zone offsets change only at transitions, which fall on quarter hours of local time: a small direct-mapped
  // cache per local quarter hour saves an ICU lookup per row.
  static constexpr size_t kCacheSize = 256;
  struct CacheEntry {
    int64_t quarter = INT64_MIN;
    int32_t offset = 0;
  };
  CacheEntry cache_[kCacheSize];
};

}  // namespace crmsync::phone
