// Read-only view of a whole file, memory-mapped so an 80 MB CSV is parsed in place without a copy.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmsync::spreadsheet {

/// Owns a read-only mapping of one file. Move-only; the bytes stay valid for the object's lifetime.
class MappedFile {
 public:
  /// Maps `path`. Throws sdk::Error(CRMSYNC_ERR_IO) naming the file and the system's reason when it cannot.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }

 private:
  void release() noexcept;

  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace crmsync::spreadsheet
