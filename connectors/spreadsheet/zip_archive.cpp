#include "zip_archive.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <unzip.h>

namespace crmsync::spreadsheet {
namespace {

// A worksheet part beyond this is a zip bomb or not a spreadsheet anyone exports to CRM.
constexpr uint64_t kMaxPartSize = uint64_t{2} << 30;
// minizip: 2 means case-insensitive name comparison.
constexpr int kCaseInsensitive = 2;

}  // namespace

ZipArchive::ZipArchive(std::string path) : path_(std::move(path)) {
  handle_ = unzOpen64(path_.c_str());
  if (!handle_) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": not a readable XLSX (ZIP) file; re-save it from Excel as .xlsx");
  }
}

ZipArchive::~ZipArchive() {
  if (handle_) unzClose(static_cast<unzFile>(handle_));
}

std::optional<std::string> ZipArchive::read(const std::string& name) {
  auto zf = static_cast<unzFile>(handle_);
  if (unzLocateFile(zf, name.c_str(), kCaseInsensitive) != UNZ_OK) return std::nullopt;
  unz_file_info64 info{};
  if (unzGetCurrentFileInfo64(zf, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": corrupt ZIP entry " + name);
  }
  if (info.uncompressed_size > kMaxPartSize) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": part " + name + " is larger than 2 GB uncompressed; refusing it");
  }
  if (unzOpenCurrentFile(zf) != UNZ_OK) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": cannot open ZIP entry " + name + " (encrypted or corrupt?)");
  }
  std::string out;
  out.reserve(static_cast<size_t>(info.uncompressed_size));
  char buf[64 * 1024];
  int got = 0;
  while ((got = unzReadCurrentFile(zf, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(got));
    // The declared size can lie; the limit holds for what is actually inflated.
    if (out.size() > kMaxPartSize) break;
  }
  int closed = unzCloseCurrentFile(zf);
  if (got < 0 || out.size() > kMaxPartSize || closed == UNZ_CRCERROR) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": ZIP entry " + name + " is corrupt (error " +
                                           std::to_string(got < 0 ? got : closed) + ")");
  }
  return out;
}

std::vector<std::string> ZipArchive::names() {
  std::vector<std::string> out;
  auto zf = static_cast<unzFile>(handle_);
  for (int st = unzGoToFirstFile(zf); st == UNZ_OK; st = unzGoToNextFile(zf)) {
    char name[1024];
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zf, &info, name, sizeof name, nullptr, 0, nullptr, 0) == UNZ_OK) {
      out.emplace_back(name);
    }
  }
  return out;
}

}  // namespace crmsync::spreadsheet
