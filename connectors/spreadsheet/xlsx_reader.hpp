// Reads the cells of an XLSX worksheet as text (ECMA-376 SpreadsheetML): sheets found through the workbook and
// its relationships, shared and inline strings, booleans, errors, and numbers that are dates by their style.
#pragma once

#include "excel_number_format.hpp"
#include "zip_archive.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// One worksheet as the workbook lists it.
struct XlsxSheetInfo {
  std::string name;  // the tab name a user sees
  std::string part;  // the ZIP part holding its cells, e.g. "xl/worksheets/sheet3.xml"
};

/// One row of cell text. cells[0] is column A; an empty string is an empty or missing cell.
struct XlsxRow {
  size_t number = 0;  // 1-based row number, from the r attribute or counted when r is missing
  std::vector<std::string> cells;
};

/// "A" for 0, "Z" for 25, "AA" for 26.
std::string columnName(size_t index);
/// Column index (0-based) of a cell reference such as "AB12"; std::nullopt when it has no letters.
std::optional<size_t> columnOfCellRef(std::string_view ref);
/// Decodes the _xHHHH_ escapes Excel writes for control characters (e.g. _x000D_ for CR) in string values.
std::string decodeXstring(std::string_view text);

/// An open workbook: its sheet list, shared strings and date styles are read up front; rows are streamed.
class XlsxWorkbook {
 public:
  /// Opens `path`. Throws sdk::Error(CRMSYNC_ERR_DATA) naming the file and the part when the package or its
  /// workbook cannot be understood.
  explicit XlsxWorkbook(const std::string& path);

  const std::vector<XlsxSheetInfo>& sheets() const { return sheets_; }
  /// The sheet with this tab name (exact match first, then case-insensitive). Throws
  /// sdk::Error(CRMSYNC_ERR_CONFIG) listing the sheets when there is none.
  const XlsxSheetInfo& sheet(std::string_view name) const;
  /// True for workbooks using the 1904 date system (old Excel for Mac).
  bool date1904() const { return date1904_; }

  /// Calls onRow for every <row> of the sheet in document order. The row object is reused between calls.
  void readRows(const XlsxSheetInfo& sheet, const std::function<void(const XlsxRow&)>& onRow);

 private:
  void readWorkbook();
  void readSharedStrings(const std::string& part);
  void readStyles(const std::string& part);

  std::string path_;
  ZipArchive zip_;
  std::vector<XlsxSheetInfo> sheets_;
  std::vector<std::string> sharedStrings_;
  std::vector<DateKind> styleDateKinds_;  // by cellXfs index, the s attribute of a cell
  bool date1904_ = false;
};

}  // namespace crmsync::spreadsheet
