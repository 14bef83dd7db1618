// Helpers shared by the spreadsheet connector tests: temporary folders, GB18030 bytes, hand-zipped XLSX files,
// the openpyxl fixtures, and running the plugin through FakeHost.
#pragma once

#include <crmsync/plugin_abi.h>
#include <crmsync/sdk/fake_host.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t host_abi_major, uint16_t host_abi_minor);

namespace crmsync::spreadsheet::testing {

/// A fresh folder, removed with its content when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Writes `bytes` to a file in the folder and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void writeFile(const std::string& path, std::string_view bytes);
std::string readFile(const std::string& path);

/// UTF-8 text re-encoded as GB18030 (what Chinese Excel writes as "CSV", GBK being its subset).
std::string toGb18030(std::string_view utf8);

/// A ZIP file with the given parts, written with minizip's zip API.
void writeZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& parts);

/// One worksheet of a hand-written workbook. part is relative to xl/ ("worksheets/sheet1.xml").
struct HandSheet {
  std::string name;
  std::string part;
  std::string sheetDataXml;  // the content of <sheetData>
};

/// Writes a minimal but valid XLSX by hand: the shapes openpyxl never produces (cells and rows without r,
/// phonetic runs, CJK built-in formats, prefixed element names) are only reachable this way.
struct HandWorkbook {
  std::vector<HandSheet> sheets;
  std::string sharedStringsXml;  // the <si> items; no sharedStrings part when empty
  std::string cellXfsXml;        // the <xf> items of cellXfs; no styles part when empty
  std::string numFmtsXml;        // the <numFmt> items
  bool date1904 = false;
  void write(const std::string& path) const;
};

/// Folder holding the openpyxl fixtures (customers.xlsx, dates_1904.xlsx, serials_1900.xlsx). Generated once
/// per version of make_xlsx_fixtures.py into the build tree, so parallel test processes share it.
const std::filesystem::path& openpyxlFixtures();

/// JSON forms of STRING_LIST and MAP config values, as the engine passes them.
std::string jsonList(const std::vector<std::string>& items);
std::string jsonMap(const std::map<std::string, std::string>& items);

/// Runs the plugin once through its C descriptor, as the engine would.
sdk::FakeHost::Result run(sdk::FakeHost& host, const std::map<std::string, std::string>& config);

const sdk::EmittedRecord* recordWithKey(const sdk::FakeHost& host, const std::string& key);
/// True when some log line contains `text`.
bool logged(const sdk::FakeHost& host, const std::string& text);

}  // namespace crmsync::spreadsheet::testing
