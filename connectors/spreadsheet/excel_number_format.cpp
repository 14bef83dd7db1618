#include "excel_number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace crmsync::spreadsheet {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// 9999-12-31 in the 1900 system: Excel's largest date.
constexpr double kLargestSerial = 2958466.0;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

std::string formatDate(int64_t y, unsigned m, unsigned d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string formatTime(int64_t secondOfDay) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(secondOfDay / 3600),
                static_cast<int>(secondOfDay / 60 % 60), static_cast<int>(secondOfDay % 60));
  return buf;
}

bool isPlainInteger(std::string_view s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size() || s.size() - i > 15) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

DateKind classifyBuiltinFormat(int id) {
  if (id >= 14 && id <= 17) return DateKind::Date;
  if (id >= 18 && id <= 21) return DateKind::Time;
  if (id == 22) return DateKind::DateTime;
  if (id >= 45 && id <= 47) return DateKind::Time;
  // CJK locales: 27-31, 36, 50-54, 57, 58 show dates (yyyy"年"m"月"d"日"...); 32-35, 55, 56 show times.
  if ((id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) || id == 57 || id == 58) return DateKind::Date;
  if ((id >= 32 && id <= 35) || id == 55 || id == 56) return DateKind::Time;
  return DateKind::None;
}

DateKind classifyFormatCode(std::string_view code) {
  bool year = false, month = false, day = false, hour = false, second = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '[') {
      // [Red], [$-409], [h] elapsed hours: treat as opaque. Elapsed time still shows m or s outside.
      size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal (\x), a padding width (_x) or a fill (*x)
    } else {
      switch (c) {
        case 'y':
        case 'Y': year = true; break;
        case 'm':
        case 'M': month = true; break;
        case 'd':
        case 'D': day = true; break;
        case 'h':
        case 'H': hour = true; break;
        case 's':
        case 'S': second = true; break;
        default: break;
      }
    }
  }
  // "m" alone is a month; next to h or s it is minutes.
  const bool time = hour || second;
  const bool date = year || day || (month && !time);
  if (date && time) return DateKind::DateTime;
  if (date) return DateKind::Date;
  if (time) return DateKind::Time;
  return DateKind::None;
}

std::optional<std::string> excelSerialToIso(double serial, DateKind kind, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial >= kLargestSerial || kind == DateKind::None) {
    return std::nullopt;
  }
  // Round to the second first, so 0.99999999 of a day becomes the next midnight rather than 23:59:59.
  const auto totalSeconds = static_cast<int64_t>(std::llround(serial * kSecondsPerDay));
  const int64_t day = totalSeconds / kSecondsPerDay;
  const int64_t secondOfDay = totalSeconds % kSecondsPerDay;
  if (kind == DateKind::Time && day == 0) return formatTime(secondOfDay);

  std::string date;
  if (date1904) {
    int64_t y;
    unsigned m, d;
    civilFromDays(daysFromCivil(1904, 1, 1) + day, y, m, d);
    date = formatDate(y, m, d);
  } else if (day == 60) {
    // Lotus 1-2-3 thought 1900 was a leap year and Excel kept serial 60 for that day.
    date = "1900-02-29";
  } else {
    int64_t y;
    unsigned m, d;
    const int64_t epoch = day < 60 ? daysFromCivil(1899, 12, 31) : daysFromCivil(1899, 12, 30);
    civilFromDays(epoch + day, y, m, d);
    date = formatDate(y, m, d);
  }
  if (kind == DateKind::Date) return date;
  return date + "T" + formatTime(secondOfDay);
}

std::string formatExcelNumber(std::string_view stored) {
  if (isPlainInteger(stored)) return std::string(stored);
  double value = 0;
  const char* begin = stored.data();
  const char* end = stored.data() + stored.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::string(stored);
  if (value == 0) return "0";
  char buf[64];
  if (std::trunc(value) == value && std::fabs(value) < 1e17) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // Excel shows 15 significant digits: 0.1+0.2 is stored as 0.30000000000000004 and shown as 0.3.
  std::snprintf(buf, sizeof buf, "%.15g", value);
  double rounded = std::strtod(buf, nullptr);
  auto res = std::to_chars(buf, buf + sizeof buf, rounded);
  return std::string(buf, res.ptr);
}

}  // namespace crmsync::spreadsheet
