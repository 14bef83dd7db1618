#include "mbox_file.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crmsync::email {

MboxFile::MboxFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw sdk::Error(CRMSYNC_ERR_IO, "cannot open mailbox " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int e = errno;
    ::close(fd_);
    throw sdk::Error(CRMSYNC_ERR_IO, "cannot stat mailbox " + path + ": " + std::strerror(e));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

MboxFile::~MboxFile() {
  if (fd_ >= 0) ::close(fd_);
}

void MboxFile::fill(uint64_t base, size_t wanted, std::string& window) const {
  size_t have = window.size();
  if (have >= wanted) return;
  window.resize(wanted);
  while (have < wanted) {
    ssize_t r = ::pread(fd_, window.data() + have, wanted - have, static_cast<off_t>(base + have));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      window.resize(have);
      throw sdk::Error(CRMSYNC_ERR_IO, "cannot read mailbox " + path_ + " at byte " + std::to_string(base + have) +
                                           ": " + std::strerror(e));
    }
    if (r == 0) break;  // shrunk since it was opened
    have += static_cast<size_t>(r);
  }
  window.resize(have);
}

}  // namespace crmsync::email
