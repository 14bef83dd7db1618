// Read access to the parts of a ZIP container (an XLSX file) through minizip's unzip API.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crmsync::spreadsheet {

/// An open ZIP file. Part names are matched case-insensitively, as Office itself does.
class ZipArchive {
 public:
  /// Opens `path`; throws sdk::Error(CRMSYNC_ERR_DATA) naming the file when it is not a readable ZIP.
  explicit ZipArchive(std::string path);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  /// The whole uncompressed content of a part, or std::nullopt when the archive has no such part. Throws
  /// sdk::Error(CRMSYNC_ERR_DATA) when the part exists but is corrupt or implausibly large.
  std::optional<std::string> read(const std::string& name);
  /// Names of all parts, in archive order.
  std::vector<std::string> names();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;  // unzFile
};

}  // namespace crmsync::spreadsheet
