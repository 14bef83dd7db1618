// Read-only view of a whole mailbox file, memory-mapped so a gigabyte mbox is split in place, with pages
// already read handed back to the kernel so resident memory stays flat.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmsync::email {

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
  /// Drops the resident pages before `offset` (they are read again from the page cache if touched).
  void releaseBefore(size_t offset);

 private:
  void release() noexcept;

  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;
};

}  // namespace crmsync::email
