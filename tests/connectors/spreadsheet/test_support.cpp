#include "test_support.hpp"

#include <nlohmann/json.hpp>
#include <unicode/ucnv.h>
#include <unistd.h>
#include <xxhash.h>
#include <zip.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace crmsync::spreadsheet::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("crmsync_spreadsheet_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, std::string_view bytes) const {
  std::string p = file(name);
  writeFile(p, bytes);
  return p;
}

void writeFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string toGb18030(std::string_view utf8) {
  std::string out(utf8.size() * 2 + 16, '\0');
  UErrorCode err = U_ZERO_ERROR;
  int32_t n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()), utf8.data(),
                           static_cast<int32_t>(utf8.size()), &err);
  if (U_FAILURE(err)) throw std::runtime_error(std::string("ICU: ") + u_errorName(err));
  out.resize(static_cast<size_t>(n));
  return out;
}

void writeZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& parts) {
  zipFile zf = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  if (!zf) throw std::runtime_error("cannot create " + path);
  for (const auto& [name, content] : parts) {
    zip_fileinfo info{};
    if (zipOpenNewFileInZip64(zf, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                              Z_DEFAULT_COMPRESSION, 0) != ZIP_OK ||
        zipWriteInFileInZip(zf, content.data(), static_cast<unsigned>(content.size())) != ZIP_OK ||
        zipCloseFileInZip(zf) != ZIP_OK) {
      zipClose(zf, nullptr);
      throw std::runtime_error("cannot write " + name + " into " + path);
    }
  }
  zipClose(zf, nullptr);
}

void HandWorkbook::write(const std::string& path) const {
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" "
      "ContentType=\"application/xml\"/></Types>";
  std::string rootRels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"" +
      rel + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
  std::string workbook = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"" + ns + "\" xmlns:r=\"" + rel +
                         "\"><workbookPr" + (date1904 ? " date1904=\"1\"" : "") + "/><sheets>";
  std::string workbookRels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  std::vector<std::pair<std::string, std::string>> parts;
  for (size_t i = 0; i < sheets.size(); ++i) {
    std::string id = "rIdSheet" + std::to_string(i + 1);
    workbook +=
        "<sheet name=\"" + sheets[i].name + "\" sheetId=\"" + std::to_string(i + 1) + "\" r:id=\"" + id + "\"/>";
    workbookRels +=
        "<Relationship Id=\"" + id + "\" Type=\"" + rel + "/worksheet\" Target=\"" + sheets[i].part + "\"/>";
    parts.emplace_back("xl/" + sheets[i].part, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"" + ns +
                                                   "\"><sheetData>" + sheets[i].sheetDataXml +
                                                   "</sheetData></worksheet>");
  }
  workbook += "</sheets></workbook>";
  if (!sharedStringsXml.empty()) {
    workbookRels += "<Relationship Id=\"rIdStrings\" Type=\"" + rel + "/sharedStrings\" Target=\"strings.xml\"/>";
    parts.emplace_back("xl/strings.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"" + ns + "\">" +
                                             sharedStringsXml + "</sst>");
  }
  if (!cellXfsXml.empty()) {
    workbookRels += "<Relationship Id=\"rIdStyles\" Type=\"" + rel + "/styles\" Target=\"styles.xml\"/>";
    parts.emplace_back("xl/styles.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"" + ns +
                                            "\"><numFmts>" + numFmtsXml + "</numFmts><cellXfs>" + cellXfsXml +
                                            "</cellXfs></styleSheet>");
  }
  workbookRels += "</Relationships>";
  parts.insert(parts.begin(), {{"[Content_Types].xml", types},
                               {"_rels/.rels", rootRels},
                               {"xl/workbook.xml", workbook},
                               {"xl/_rels/workbook.xml.rels", workbookRels}});
  writeZip(path, parts);
}

const fs::path& openpyxlFixtures() {
  static const fs::path dir = [] {
    const std::string python = CRMSYNC_OPENPYXL_PYTHON;
    if (python.empty()) {
      throw std::runtime_error(
          "no python3 with openpyxl was found when cmake ran; apt install python3-openpyxl "
          "and re-run cmake");
    }
    const std::string script = CRMSYNC_SOURCE_DIR "/tests/connectors/spreadsheet/make_xlsx_fixtures.py";
    const std::string content = readFile(script);
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(content.data(), content.size())));
    const fs::path root = fs::path(CRMSYNC_BINARY_DIR) / "tests" / "connectors" / "spreadsheet" / "xlsx_fixtures";
    const fs::path done = root / hash;
    if (fs::is_directory(done)) return done;
    // Build in a private folder and rename it into place: concurrent test processes never see half a set.
    fs::create_directories(root);
    const fs::path tmp = root / ("tmp-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    const std::string cmd = "'" + python + "' '" + script + "' '" + tmp.string() + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("fixture script failed: " + cmd);
    std::error_code ec;
    fs::rename(tmp, done, ec);
    if (ec) fs::remove_all(tmp);  // another process finished first
    return done;
  }();
  return dir;
}

std::string jsonList(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }
std::string jsonMap(const std::map<std::string, std::string>& items) { return nlohmann::json(items).dump(); }

sdk::FakeHost::Result run(sdk::FakeHost& host, const std::map<std::string, std::string>& config) {
  return host.runSource(crmsync_plugin_entry, config);
}

const sdk::EmittedRecord* recordWithKey(const sdk::FakeHost& host, const std::string& key) {
  for (const auto& r : host.records()) {
    if (r.sourceKey == key) return &r;
  }
  return nullptr;
}

bool logged(const sdk::FakeHost& host, const std::string& text) {
  for (const auto& l : host.logs()) {
    if (l.message.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace crmsync::spreadsheet::testing
