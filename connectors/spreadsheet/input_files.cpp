#include "input_files.hpp"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace crmsync::spreadsheet {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kZipMagic = "PK\x03\x04";
constexpr std::string_view kOle2Magic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

std::string lowerExtension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ext;
}

bool isXlsxExtension(const std::string& ext) { return ext == ".xlsx" || ext == ".xlsm"; }

bool wanted(const std::string& path, FileFormat format) {
  std::string name = fileName(path);
  if (name.empty() || name[0] == '.' || name.rfind("~$", 0) == 0) return false;
  std::string ext = lowerExtension(path);
  bool csv = ext == ".csv" || ext == ".tsv" || (format == FileFormat::Csv && ext == ".txt");
  bool xlsx = isXlsxExtension(ext);
  switch (format) {
    case FileFormat::Csv: return csv;
    case FileFormat::Xlsx: return xlsx;
    case FileFormat::Auto: return csv || xlsx;
  }
  return false;
}

bool hasGlobCharacters(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

}  // namespace

std::string fileName(const std::string& path) { return fs::path(path).filename().string(); }

std::vector<std::string> listInputFiles(const std::string& path, FileFormat format) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (fs::is_regular_file(status)) return {path};
  if (fs::is_directory(status)) {
    fs::directory_iterator it(path, ec);
    if (ec) throw sdk::Error(CRMSYNC_ERR_IO, path + ": cannot list folder: " + ec.message());
    for (const auto& entry : it) {
      std::error_code fileEc;
      if (entry.is_regular_file(fileEc) && wanted(entry.path().string(), format))
        files.push_back(entry.path().string());
    }
  } else if (hasGlobCharacters(path)) {
    glob_t matches{};
    int rc = ::glob(path.c_str(), 0, nullptr, &matches);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      ::globfree(&matches);
      throw sdk::Error(CRMSYNC_ERR_IO, path + ": cannot expand the glob (error " + std::to_string(rc) + ")");
    }
    for (size_t i = 0; i < matches.gl_pathc; ++i) {
      std::string match = matches.gl_pathv[i];
      std::error_code fileEc;
      if (fs::is_regular_file(match, fileEc) && wanted(match, format)) files.push_back(match);
    }
    ::globfree(&matches);
  } else {
    throw sdk::Error(CRMSYNC_ERR_IO, path + ": no such file or folder (check `path` in the pipeline)");
  }
  // Byte order, not locale order: the same folder must give the same sequence on every machine.
  std::sort(files.begin(), files.end());
  return files;
}

FileFormat detectFormat(const std::string& path, std::string_view head, FileFormat configured) {
  if (head.substr(0, kOle2Magic.size()) == kOle2Magic) {
    throw sdk::Error(CRMSYNC_ERR_UNSUPPORTED,
                     path +
                         ": is an Excel 97-2003 workbook (.xls), which is not supported; open it in Excel or "
                         "LibreOffice and save it as .xlsx or CSV");
  }
  const bool zip = head.substr(0, kZipMagic.size()) == kZipMagic;
  const bool xlsxName = isXlsxExtension(lowerExtension(path));
  FileFormat format = configured;
  if (format == FileFormat::Auto) format = zip || xlsxName ? FileFormat::Xlsx : FileFormat::Csv;
  if (format == FileFormat::Xlsx && !zip) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path +
                                           ": is not an XLSX workbook (no ZIP signature); if it is text, set "
                                           "format: csv");
  }
  if (format == FileFormat::Csv && zip) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path +
                                           ": is a ZIP file (an XLSX workbook?) but format is csv; set "
                                           "format: xlsx or auto");
  }
  return format;
}

}  // namespace crmsync::spreadsheet
