#include "cdr_file.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace crmsync::phone {
namespace {

constexpr uint64_t kFingerprintBytes = 64 * 1024;
constexpr size_t kChunk = 1 << 20;

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<uint64_t> unhex(const std::string& s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint64_t>(c - 'a' + 10);
    else return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<CdrCursor> CdrCursor::parse(const std::string& text, std::string* problem) {
  auto fail = [&](const std::string& why) -> std::optional<CdrCursor> {
    if (problem) *problem = why;
    return std::nullopt;
  };
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("the stored cursor is not a JSON object");
  if (j.value("version", 0) != 1) return fail("the stored cursor has an unknown version");
  try {
    CdrCursor c;
    c.format = j.at("format").get<std::string>();
    c.file = j.at("file").get<std::string>();
    c.settings = j.at("settings").get<std::string>();
    c.offset = j.at("offset").get<uint64_t>();
    c.line = j.at("line").get<uint64_t>();
    c.tail = j.at("tail").get<uint64_t>();
    c.tailLine = j.at("tail_line").get<uint64_t>();
    auto head = unhex(j.at("head").get<std::string>());
    auto before = unhex(j.at("before").get<std::string>());
    if (!head || !before || c.tail > c.offset || c.tailLine > c.line) return fail("the stored cursor is inconsistent");
    c.head = *head;
    c.before = *before;
    return c;
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("the stored cursor lacks a field: ") + e.what());
  }
}

std::string CdrCursor::toJson() const {
  nlohmann::json j = {{"version", 1},       {"format", format}, {"file", file},         {"settings", settings},
                      {"offset", offset},   {"line", line},     {"tail", tail},         {"tail_line", tailLine},
                      {"head", hex(head)},  {"before", hex(before)}};
  return j.dump();
}

CdrFile::CdrFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw sdk::Error(CRMSYNC_ERR_IO, "cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    throw sdk::Error(CRMSYNC_ERR_IO, "cannot stat " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw sdk::Error(CRMSYNC_ERR_IO, path + " is not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

CdrFile::~CdrFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::pair<uint64_t, uint64_t> CdrFile::fingerprint(uint64_t offset) const {
  auto hashRange = [&](uint64_t from, uint64_t length) {
    std::string buf(length, '\0');
    size_t got = 0;
    while (got < length) {
      ssize_t n = ::pread(fd_, buf.data() + got, length - got, static_cast<off_t>(from + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw sdk::Error(CRMSYNC_ERR_IO, "cannot read " + path_ + ": " + std::strerror(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    return XXH3_64bits(buf.data(), got);
  };
  uint64_t n = std::min(offset, kFingerprintBytes);
  return {hashRange(0, n), hashRange(offset - n, n)};
}

uint64_t CdrFile::readLines(uint64_t from, uint64_t line, const LineFn& fn, uint64_t* endLine) const {
  std::vector<char> buf(kChunk);
  size_t have = 0;       // bytes in buf
  uint64_t bufAt = from;  // file offset of buf[0]
  uint64_t fileAt = from;
  while (fileAt < size_) {
    if (have == buf.size()) buf.resize(buf.size() * 2);  // one line longer than the buffer
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size() - have, size_ - fileAt));
    ssize_t n = ::pread(fd_, buf.data() + have, want, static_cast<off_t>(fileAt));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw sdk::Error(CRMSYNC_ERR_IO, "cannot read " + path_ + " at byte " + std::to_string(fileAt) + ": " +
                                           std::strerror(errno));
    }
    if (n == 0) break;  // the file shrank while it was read: stop at what is there
    have += static_cast<size_t>(n);
    fileAt += static_cast<uint64_t>(n);
    size_t pos = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + pos, '\n', have - pos);
      if (!nl) break;
      size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      size_t len = end - pos;
      if (len > 0 && buf[end - 1] == '\r') --len;
      if (len > 0) fn(std::string_view(buf.data() + pos, len), bufAt + pos, line);
      ++line;
      pos = end + 1;
    }
    std::memmove(buf.data(), buf.data() + pos, have - pos);
    have -= pos;
    bufAt += pos;
  }
  if (endLine) *endLine = line;
  return bufAt;
}

}  // namespace crmsync::phone
