// An mbox file open for reading in windows with pread: the size is taken once at open, so what a writer
// appends during the run is left for the next one, and a writer that truncates the file makes a read come up
// short instead of faulting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crmsync::email {

class MboxFile {
 public:
  /// Opens `path`. Throws sdk::Error(CRMSYNC_ERR_IO) naming the file and the system's reason when it cannot.
  explicit MboxFile(const std::string& path);
  ~MboxFile();
  MboxFile(const MboxFile&) = delete;
  MboxFile& operator=(const MboxFile&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  /// Makes window hold the file's bytes [base, base + wanted): appends what it lacks past its current end.
  /// Fewer bytes when the file has shrunk since it was opened. Throws sdk::Error(CRMSYNC_ERR_IO) on a read error.
  void fill(uint64_t base, size_t wanted, std::string& window) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace crmsync::email
