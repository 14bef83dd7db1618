// What a number in an XLSX cell means: Excel stores dates as serial day numbers and says only through the
// cell's number format that they are dates. Also prints plain numbers the way a person typed them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crmsync::spreadsheet {

/// What a number format displays.
enum class DateKind { None, Date, DateTime, Time };

/// Built-in format ids: 14-22 and 45-47, plus the CJK locale ids 27-36 and 50-58.
DateKind classifyBuiltinFormat(int numFmtId);

/// A format code ("yyyy-mm-dd", "[$-409]h:mm AM/PM", "0.00") is a date or time when y, m, d, h or s appear
/// outside quoted text, [brackets] and escaped characters.
DateKind classifyFormatCode(std::string_view code);

/// ISO 8601 text for an Excel serial: "YYYY-MM-DD" for Date, "YYYY-MM-DDTHH:MM:SS" for DateTime, "HH:MM:SS" for a
/// Time below one day. The 1900 system keeps Excel's fictitious 1900-02-29 (serial 60); the 1904 system counts
/// from 1904-01-01. std::nullopt for serials no date can have (negative, past 9999-12-31).
std::optional<std::string> excelSerialToIso(double serial, DateKind kind, bool date1904);

/// A cell's stored number as text without artefacts of binary floating point: integers without ".0" or an
/// exponent ("1.3800138E10" -> "13800138000"), others rounded to Excel's 15 significant digits. Text that is
/// not a number comes back unchanged.
std::string formatExcelNumber(std::string_view stored);

}  // namespace crmsync::spreadsheet
