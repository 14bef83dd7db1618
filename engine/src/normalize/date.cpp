#include "crmsync/normalize/date.hpp"

#include <re2/re2.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "crmsync/normalize/text.hpp"

namespace crmsync::normalize {
namespace {

// The time of day and its zone, after any date form: "T10:00:00Z", " 10:00:00 +0800 (CST)", ", 3:30 pm".
// Groups: hour, minute, second, fraction, am/pm, zone.
constexpr int kTimeGroups = 6;
std::string timeSuffix(const char* separator) {
  return std::string("(?:") + separator +
         R"((\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(am|pm)?\s*(z|utc|gmt|ut|[+-]\d{2}(?::?\d{2})?)?)"
         R"((?:\s*\([^)]*\))?)?)";
}

constexpr const char* kSeparator = R"((?:t|\s+|,\s*|\s+at\s+))";
constexpr const char* kWeekday = R"((?:\pL+\.?,?\s+)?)";

struct Parsed {
  int year = 0, month = 0, day = 0;
  bool hasTime = false;
  int hour = 0, minute = 0, second = 0, millis = 0;
  bool hasOffset = false;
  int offsetMinutes = 0;
};

int toInt(re2::StringPiece s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string text(re2::StringPiece s) { return std::string(s.data(), s.size()); }

// Reads the time groups starting at g; returns a reason when they make no time of day.
std::string readTime(const re2::StringPiece* g, Parsed& p) {
  if (g[0].data() == nullptr) return "";
  p.hasTime = true;
  p.hour = toInt(g[0]);
  p.minute = toInt(g[1]);
  p.second = g[2].data() ? toInt(g[2]) : 0;
  if (g[3].data()) {
    std::string frac = text(g[3]).substr(0, 3);
    frac.resize(3, '0');
    p.millis = toInt(frac);
  }
  if (g[4].data()) {
    if (p.hour < 1 || p.hour > 12) return "hour " + std::to_string(p.hour) + " with am/pm";
    if (p.hour == 12) p.hour = 0;
    if (g[4] == "pm") p.hour += 12;
  }
  if (p.hour > 23 || p.minute > 59 || p.second > 59) return "no such time of day";
  if (g[5].data()) {
    std::string zone = text(g[5]);
    p.hasOffset = true;
    if (zone[0] == '+' || zone[0] == '-') {
      std::string digits;
      for (char c : zone.substr(1)) {
        if (c != ':') digits += c;
      }
      int hours = toInt(digits.substr(0, 2));
      int minutes = digits.size() > 2 ? toInt(digits.substr(2)) : 0;
      if (hours > 14 || minutes > 59) return "offset " + zone + " out of range";
      p.offsetMinutes = (zone[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
    }
  }
  return "";
}

std::chrono::year_month_day ymd(int y, int m, int d) {
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                     std::chrono::day{static_cast<unsigned>(d)}};
}

// A pattern compiled on first use. The stage's threads share it; RE2 matching is thread-safe once compiled.
class LazyRe2 {
 public:
  explicit LazyRe2(std::string pattern) : pattern_(std::move(pattern)) {}
  const RE2& get() const {
    std::call_once(once_, [this] { re_ = std::make_unique<RE2>(pattern_); });
    return *re_;
  }

 private:
  std::string pattern_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

}  // namespace

// The forms are compiled lazily: a source writes its dates in one or two forms, and compiling all seven took
// about 3 ms of every run with a date field.
struct DateNormalizer::Impl {
  DateOptions options;
  std::unique_ptr<icu::TimeZone> zone;
  std::unordered_map<std::string, int> months;
  LazyRe2 ymdNumeric{R"((\d{4})[-/.](\d{1,2})[-/.](\d{1,2}))" + timeSuffix(kSeparator)};
  LazyRe2 ymdCjk{R"((\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)" + timeSuffix(R"(\s*)")};
  LazyRe2 numeric{R"((\d{1,2})([-/.])(\d{1,2})[-/.](\d{4}|\d{2}))" + timeSuffix(kSeparator)};
  LazyRe2 compact{R"((\d{4})(\d{2})(\d{2}))"};
  LazyRe2 dayMonthName{std::string(kWeekday) + R"((\d{1,2})(?:st|nd|rd|th)?\.?[\s-]*(\pL+)\.?,?[\s-]*(\d{4}))" +
                       timeSuffix(kSeparator)};
  LazyRe2 monthNameDay{std::string(kWeekday) + R"((\pL+)\.?[\s-]*(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{4}))" +
                       timeSuffix(kSeparator)};
  LazyRe2 excel{R"((\d{1,5})(?:\.(\d{1,9}))?)"};

  explicit Impl(DateOptions o) : options(std::move(o)) {
    zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(options.timeZone)));
    if (*zone == icu::TimeZone::getUnknown()) zone.reset(icu::TimeZone::createTimeZone("UTC"));
    const std::array<std::array<const char*, 5>, 12> names = {{
        {"jan", "january", "januar", "jänner", nullptr},
        {"feb", "february", "februar", "febr", nullptr},
        {"mar", "march", "märz", "maerz", "mär"},
        {"apr", "april", nullptr, nullptr, nullptr},
        {"may", "mai", nullptr, nullptr, nullptr},
        {"jun", "june", "juni", nullptr, nullptr},
        {"jul", "july", "juli", nullptr, nullptr},
        {"aug", "august", nullptr, nullptr, nullptr},
        {"sep", "sept", "september", nullptr, nullptr},
        {"oct", "october", "okt", "oktober", nullptr},
        {"nov", "november", nullptr, nullptr, nullptr},
        {"dec", "december", "dez", "dezember", nullptr},
    }};
    for (size_t m = 0; m < names.size(); ++m) {
      for (const char* n : names[m]) {
        if (n) months.emplace(n, static_cast<int>(m + 1));
      }
    }
  }

  static bool fullMatch(const LazyRe2& re, const std::string& s, re2::StringPiece* groups, int n) {
    return re.get().Match(s, 0, s.size(), RE2::ANCHOR_BOTH, groups, n);
  }

  // Fills p from the first form s matches; returns a reason when none does or the parts are out of range.
  std::string parse(const std::string& s, Parsed& p) const {
    std::array<re2::StringPiece, 1 + 4 + kTimeGroups> g;
    std::string timeError;
    if (fullMatch(compact, s, g.data(), 4)) {
      p.year = toInt(g[1]), p.month = toInt(g[2]), p.day = toInt(g[3]);
    } else if (fullMatch(ymdNumeric, s, g.data(), 4 + kTimeGroups)) {
      p.year = toInt(g[1]), p.month = toInt(g[2]), p.day = toInt(g[3]);
      timeError = readTime(&g[4], p);
    } else if (fullMatch(ymdCjk, s, g.data(), 4 + kTimeGroups)) {
      p.year = toInt(g[1]), p.month = toInt(g[2]), p.day = toInt(g[3]);
      timeError = readTime(&g[4], p);
    } else if (fullMatch(numeric, s, g.data(), 5 + kTimeGroups)) {
      int a = toInt(g[1]), b = toInt(g[3]);
      p.year = toInt(g[4]);
      if (g[4].size() == 2) p.year += p.year < 70 ? 2000 : 1900;
      // Dots are the German and Russian way and always day first; a first number above 12 cannot be a month.
      bool dayFirst = g[2] == "." || a > 12 || (options.dayFirst && b <= 12);
      p.day = dayFirst ? a : b;
      p.month = dayFirst ? b : a;
      timeError = readTime(&g[5], p);
    } else if (fullMatch(dayMonthName, s, g.data(), 4 + kTimeGroups)) {
      auto m = months.find(text(g[2]));
      if (m == months.end()) return "unknown month '" + text(g[2]) + "'";
      p.day = toInt(g[1]), p.month = m->second, p.year = toInt(g[3]);
      timeError = readTime(&g[4], p);
    } else if (fullMatch(monthNameDay, s, g.data(), 4 + kTimeGroups)) {
      auto m = months.find(text(g[1]));
      if (m == months.end()) return "unknown month '" + text(g[1]) + "'";
      p.month = m->second, p.day = toInt(g[2]), p.year = toInt(g[3]);
      timeError = readTime(&g[4], p);
    } else if (options.excelSerial && fullMatch(excel, s, g.data(), 3)) {
      return fromExcel(toInt(g[1]), g[2], p);
    } else {
      return "not a recognized date format";
    }
    if (!timeError.empty()) return timeError;
    if (p.year < 1 || p.year > 9999 || !ymd(p.year, p.month, p.day).ok()) return "no such date";
    return "";
  }

  // Excel counts days from 1899-12-31 as day 1 and, like Lotus 1-2-3, treats 1900 as a leap year: from
  // serial 61 (1900-03-01) on, day 0 is 1899-12-30.
  static std::string fromExcel(int serial, re2::StringPiece fraction, Parsed& p) {
    if (serial < 1 || serial == 60) return serial == 60 ? "Excel serial 60 is the non-existent 1900-02-29"
                                                        : "Excel serial must be positive";
    using namespace std::chrono;
    sys_days base = serial < 60 ? sys_days{ymd(1899, 12, 31)} : sys_days{ymd(1899, 12, 30)};
    year_month_day date{base + days{serial}};
    p.year = static_cast<int>(date.year()), p.month = static_cast<int>(static_cast<unsigned>(date.month()));
    p.day = static_cast<int>(static_cast<unsigned>(date.day()));
    if (p.year > 9999) return "Excel serial out of range";
    if (fraction.data() != nullptr) {
      double f = std::stod("0." + text(fraction));
      auto ms = static_cast<long long>(f * 86400000.0 + 0.5);
      if (ms >= 86400000) ms = 86399999;
      p.hasTime = true;
      p.hour = static_cast<int>(ms / 3600000), p.minute = static_cast<int>(ms / 60000 % 60);
      p.second = static_cast<int>(ms / 1000 % 60), p.millis = static_cast<int>(ms % 1000);
    }
    return "";
  }

  std::string format(const Parsed& p) const {
    char buf[40];
    if (!p.hasTime) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.year, p.month, p.day);
      return buf;
    }
    using namespace std::chrono;
    const long long localDays = sys_days{ymd(p.year, p.month, p.day)}.time_since_epoch().count();
    long long millis = ((localDays * 24 + p.hour) * 60 + p.minute) * 60000LL + p.second * 1000LL + p.millis;
    if (p.hasOffset) {
      millis -= p.offsetMinutes * 60000LL;
    } else {
      int32_t rawOffset = 0, dstOffset = 0;
      UErrorCode status = U_ZERO_ERROR;
      zone->getOffset(static_cast<UDate>(millis), true, rawOffset, dstOffset, status);
      if (U_SUCCESS(status)) millis -= rawOffset + dstOffset;
    }
    long long dayCount = millis >= 0 ? millis / 86400000 : -((-millis + 86399999) / 86400000);
    long long inDay = millis - dayCount * 86400000;
    year_month_day utc{sys_days{days{dayCount}}};
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(utc.year()),
                          static_cast<unsigned>(utc.month()), static_cast<unsigned>(utc.day()), inDay / 3600000,
                          inDay / 60000 % 60, inDay / 1000 % 60);
    if (inDay % 1000 != 0 && n > 0) std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ".%03lld", inDay % 1000);
    return std::string(buf) + "Z";
  }
};

DateNormalizer::DateNormalizer(DateOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
DateNormalizer::~DateNormalizer() = default;

bool DateNormalizer::isKnownTimeZone(std::string_view id) {
  std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(icu::StringPiece(id.data(), static_cast<int32_t>(id.size())))));
  return zone && *zone != icu::TimeZone::getUnknown();
}

DateResult DateNormalizer::normalize(std::string_view raw) const {
  DateResult r;
  r.raw = std::string(raw);
  if (!isValidUtf8(raw)) {
    r.value = r.raw;
    r.reason = "invalid UTF-8";
    return r;
  }
  std::string s = lower(trim(nfkc(trim(raw))));
  r.value = trim(raw);
  if (s.empty()) {
    r.reason = "empty";
    return r;
  }
  Parsed p;
  if (auto reason = impl_->parse(s, p); !reason.empty()) {
    r.reason = reason;
    return r;
  }
  r.value = impl_->format(p);
  r.hasTime = p.hasTime;
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
