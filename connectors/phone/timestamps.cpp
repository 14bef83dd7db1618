#include "timestamps.hpp"

#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/ucal.h>
#include <unicode/unistr.h>

#include <array>
#include <chrono>
#include <cstdio>

namespace crmsync::phone {
namespace {

constexpr int64_t kDay = 86400;

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::optional<int64_t> daysFromCivil(int year, int month, int day) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

// Reads exactly `width` digits at text[pos].
bool digits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// "YYYY-MM-DD HH:MM:SS" (or with 'T') as seconds of a day count, no zone; rest is what follows the seconds.
std::optional<int64_t> parseWallClock(std::string_view text, std::string_view& rest) {
  int y, mo, d, h, mi, s;
  if (!digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
      !digits(text, 8, 2, d) || (text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, h) || text[13] != ':' ||
      !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto days = daysFromCivil(y, mo, d);
  if (!days) return std::nullopt;
  rest = text.substr(19);
  return *days * kDay + h * 3600 + mi * 60 + s;
}

}  // namespace

std::string formatIsoUtc(int64_t epochSeconds) {
  int64_t days = floorDiv(epochSeconds, kDay);
  int64_t secs = epochSeconds - days * kDay;
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%d-%02u-%02uT%02d:%02d:%02dZ", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
    return buf;
  }
  char out[20] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z'};
  auto two = [&](size_t at, unsigned v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  two(0, static_cast<unsigned>(year / 100));
  two(2, static_cast<unsigned>(year % 100));
  two(5, static_cast<unsigned>(ymd.month()));
  two(8, static_cast<unsigned>(ymd.day()));
  two(11, static_cast<unsigned>(secs / 3600));
  two(14, static_cast<unsigned>(secs / 60 % 60));
  two(17, static_cast<unsigned>(secs % 60));
  return std::string(out, sizeof out);
}

std::string formatUtcDate(int64_t epochSeconds) { return formatIsoUtc(epochSeconds).substr(0, 10); }

std::optional<int64_t> parseIsoUtc(std::string_view text) {
  std::string_view rest;
  auto t = parseWallClock(text, rest);
  if (!t || text[10] != 'T' || rest != "Z") return std::nullopt;
  return t;
}

std::optional<int64_t> parseRfc2822(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto skipSpaces = [&](size_t& p) {
    while (p < text.size() && text[p] == ' ') ++p;
  };
  size_t p = 0;
  skipSpaces(p);
  if (size_t comma = text.find(','); comma != std::string_view::npos && comma < 12) p = comma + 1;
  skipSpaces(p);
  int day = 0;
  size_t dayDigits = 0;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9' && dayDigits < 2) {
    day = day * 10 + (text[p++] - '0');
    ++dayDigits;
  }
  if (dayDigits == 0) return std::nullopt;
  skipSpaces(p);
  if (p + 3 > text.size()) return std::nullopt;
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(p, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  if (!month) return std::nullopt;
  p += 3;
  skipSpaces(p);
  int year, h, mi, s;
  if (!digits(text, p, 4, year)) return std::nullopt;
  p += 4;
  skipSpaces(p);
  if (!digits(text, p, 2, h) || p + 8 > text.size() || text[p + 2] != ':' || !digits(text, p + 3, 2, mi) ||
      text[p + 5] != ':' || !digits(text, p + 6, 2, s)) {
    return std::nullopt;
  }
  p += 8;
  skipSpaces(p);
  std::string_view zone = text.substr(p);
  int offset = 0;
  if (zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z") {
    offset = 0;
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    int zh, zm;
    if (!digits(zone, 1, 2, zh) || !digits(zone, 3, 2, zm)) return std::nullopt;
    offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto days = daysFromCivil(year, month, day);
  if (!days) return std::nullopt;
  return *days * kDay + h * 3600 + mi * 60 + s - offset;
}

std::unique_ptr<LocalTimeZone> LocalTimeZone::create(const std::string& name, std::string* problem) {
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  icu::UnicodeString id;
  if (zone) zone->getID(id);
  if (!zone || id == UCAL_UNKNOWN_ZONE_ID) {
    if (problem) *problem = "unknown time zone '" + name + "'; write an IANA name such as Asia/Shanghai or UTC";
    return nullptr;
  }
  auto* basic = dynamic_cast<icu::BasicTimeZone*>(zone.get());
  if (!basic) {
    if (problem) *problem = "time zone '" + name + "' has no transition rules in ICU";
    return nullptr;
  }
  zone.release();
  return std::unique_ptr<LocalTimeZone>(new LocalTimeZone(name, basic));
}

LocalTimeZone::LocalTimeZone(std::string name, icu::BasicTimeZone* zone) : name_(std::move(name)), zone_(zone) {}

LocalTimeZone::~LocalTimeZone() { delete zone_; }

int64_t LocalTimeZone::offsetForLocal(int64_t localSeconds) {
  int64_t quarter = floorDiv(localSeconds, 900);
  CacheEntry& e = cache_[static_cast<size_t>(quarter) % kCacheSize];
  if (e.quarter == quarter) return e.offset;
  int32_t raw = 0;
  int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  // The quarter's start stands for the whole quarter hour; FORMER picks the earlier of two readings.
  zone_->getOffsetFromLocal(static_cast<UDate>(quarter * 900) * 1000.0, UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER,
                            raw, dst, status);
  if (U_FAILURE(status)) {
    raw = 0;
    dst = 0;
  }
  e.quarter = quarter;
  e.offset = (raw + dst) / 1000;
  return e.offset;
}

std::optional<int64_t> LocalTimeZone::toEpoch(std::string_view localTime) {
  std::string_view rest;
  auto local = parseWallClock(localTime, rest);
  if (!local) return std::nullopt;
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
    for (size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
    }
  }
  return *local - offsetForLocal(*local);
}

}  // namespace crmsync::phone
