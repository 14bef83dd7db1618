#include "mbox_reader.hpp"

#include <nlohmann/json.hpp>
#include <xxhash.h>

#include <crmsync/sdk/plugin.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crmsync::email {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view lineAt(std::string_view bytes, size_t at) {
  size_t nl = bytes.find('\n', at);
  std::string_view line = bytes.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Offset just past the line starting at `at`.
size_t lineEnd(std::string_view bytes, size_t at) {
  size_t nl = bytes.find('\n', at);
  return nl == std::string_view::npos ? bytes.size() : nl + 1;
}

// True when the line ending just before `at` (a line start) is blank, or at is the file start.
bool blankLineBefore(std::string_view bytes, size_t at) {
  if (at == 0) return true;
  if (bytes[at - 1] != '\n') return false;
  if (at >= 2 && bytes[at - 2] == '\n') return true;
  return at >= 3 && bytes[at - 2] == '\r' && bytes[at - 3] == '\n';
}

}  // namespace

bool isFromLine(std::string_view line) {
  if (line.size() < 5 || line.size() > 1000 || line.compare(0, 5, "From ") != 0) return false;
  bool time = false;
  bool year = false;
  for (size_t i = 5; i < line.size(); ++i) {
    if (!time && i + 4 < line.size() && isDigit(line[i]) && line[i + 1] == ':' && isDigit(line[i + 2]) &&
        isDigit(line[i + 3])) {
      time = true;
    }
    if (!time && i + 5 < line.size() && isDigit(line[i]) && isDigit(line[i + 1]) && line[i + 2] == ':' &&
        isDigit(line[i + 3]) && isDigit(line[i + 4])) {
      time = true;
    }
    if (i + 4 <= line.size() && (line[i] == '1' || line[i] == '2') && isDigit(line[i + 1]) && isDigit(line[i + 2]) &&
        isDigit(line[i + 3]) && line[i - 1] == ' ' && (i + 4 == line.size() || line[i + 4] == ' ')) {
      year = true;
    }
  }
  return time && year;
}

bool looksLikeMbox(std::string_view bytes) { return isFromLine(lineAt(bytes, 0)); }

MboxScanner::MboxScanner(std::string_view bytes, size_t start, bool atEnd)
    : bytes_(bytes), atEnd_(atEnd), pos_(start), consumed_(start) {
  if (pos_ >= bytes_.size()) return;
  if (isFromLine(lineAt(bytes_, pos_)) && blankLineBefore(bytes_, pos_)) return;
  size_t first = findFromLine(pos_);
  std::string_view junk = bytes_.substr(pos_, (first == std::string_view::npos ? bytes_.size() : first) - pos_);
  if (first == std::string_view::npos) {
    // No From_ line yet: a message being written whose separator line is still missing, or not an mbox.
    pos_ = consumed_ = start;
    if (junk.find_first_not_of(" \t\r\n") != std::string_view::npos && start == 0 && atEnd_) junk_ = junk;
    pos_ = bytes_.size();
    return;
  }
  if (junk.find_first_not_of(" \t\r\n") != std::string_view::npos) junk_ = junk;
  pos_ = consumed_ = first;
}

size_t MboxScanner::findFromLine(size_t from) const {
  // A separator line follows a line break; memmem over "\nFrom " is the fast path.
  size_t at = from;
  while (at < bytes_.size()) {
    const void* hit = ::memmem(bytes_.data() + at, bytes_.size() - at, "\nFrom ", 6);
    if (!hit) return std::string_view::npos;
    size_t lineStart = static_cast<size_t>(static_cast<const char*>(hit) - bytes_.data()) + 1;
    if (blankLineBefore(bytes_, lineStart) && isFromLine(lineAt(bytes_, lineStart))) return lineStart;
    at = lineStart;
  }
  return std::string_view::npos;
}

bool MboxScanner::next(MboxMessage& out) {
  if (pos_ >= bytes_.size()) return false;
  const size_t start = pos_;
  const size_t bodyStart = lineEnd(bytes_, start);
  size_t nextFrom = findFromLine(bodyStart > 0 ? bodyStart - 1 : 0);
  size_t end;
  if (nextFrom == std::string_view::npos) {
    // The last message counts only once a blank line ends it; until then it may still be being written.
    std::string_view tail = bytes_.substr(bodyStart);
    const bool closed = atEnd_ && bodyStart < bytes_.size() &&
                        (tail.ends_with("\n\n") || tail.ends_with("\r\n\r\n") || tail == "\n" || tail == "\r\n");
    if (!closed) {
      pos_ = bytes_.size();
      return false;
    }
    end = bytes_.size();
  } else {
    end = nextFrom;
  }
  std::string_view raw = bytes_.substr(bodyStart, end - bodyStart);
  // Drop the blank line that separates this message from the next From_ line.
  if (raw.ends_with("\r\n\r\n")) raw.remove_suffix(2);
  else if (raw.ends_with("\n\n")) raw.remove_suffix(1);
  out.offset = start;
  out.raw = raw;
  pos_ = end;
  consumed_ = end;
  return true;
}

std::string_view unquoteFromLines(std::string_view raw, MboxQuoting quoting, std::string& storage) {
  if (raw.find(">From ") == std::string_view::npos) return raw;
  storage.clear();
  storage.reserve(raw.size());
  size_t at = 0;
  while (at < raw.size()) {
    size_t end = lineEnd(raw, at);
    std::string_view line = raw.substr(at, end - at);
    size_t gt = 0;
    while (gt < line.size() && line[gt] == '>') ++gt;
    const bool quoted = gt > 0 && line.substr(gt, 5) == "From " && (quoting == MboxQuoting::Mboxrd || gt == 1);
    storage.append(quoted ? line.substr(1) : line);
    at = end;
  }
  return storage;
}

MboxCursor MboxCursor::at(std::string_view bytes, size_t offset) {
  MboxCursor c;
  c.offset = offset;
  size_t from = offset > kWindow ? offset - kWindow : 0;
  c.windowHash = XXH3_64bits(bytes.data() + from, offset - from);
  return c;
}

bool MboxCursor::matches(std::string_view bytes) const {
  if (offset > bytes.size()) return false;
  if (at(bytes, offset).windowHash != windowHash) return false;
  if (offset == bytes.size()) return true;
  return isFromLine(lineAt(bytes, offset));
}

namespace {

// Reads [from, from + n) of fd, fewer bytes at the end of the file.
std::string preadRange(int fd, uint64_t from, size_t n, const std::string& path) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(from + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      throw sdk::Error(CRMSYNC_ERR_IO, "cannot read mailbox " + path + " at byte " + std::to_string(from + got) +
                                           ": " + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace

MboxCursor MboxCursor::atFile(int fd, uint64_t offset, const std::string& path) {
  const uint64_t from = offset > kWindow ? offset - kWindow : 0;
  std::string window = preadRange(fd, from, static_cast<size_t>(offset - from), path);
  MboxCursor c;
  c.offset = offset;
  c.windowHash = XXH3_64bits(window.data(), window.size());
  if (window.size() != offset - from) c.windowHash ^= 1;  // the file is shorter than offset: never a match
  return c;
}

bool MboxCursor::matchesFile(int fd, uint64_t size, const std::string& path) const {
  if (offset > size) return false;
  const uint64_t from = offset > kWindow ? offset - kWindow : 0;
  // The window, and the line at the offset (a From_ line is at most 1000 bytes).
  std::string bytes = preadRange(fd, from, static_cast<size_t>(std::min<uint64_t>(size, offset + 1002) - from), path);
  MboxCursor shifted = *this;
  shifted.offset = offset - from;
  if (bytes.size() < shifted.offset) return false;
  if (XXH3_64bits(bytes.data(), static_cast<size_t>(shifted.offset)) != windowHash) return false;
  if (offset == size) return true;
  return isFromLine(lineAt(bytes, static_cast<size_t>(shifted.offset)));
}

std::string MboxCursor::text() const {
  nlohmann::json j{{"kind", "mbox"}, {"offset", offset}, {"window_hash", windowHash}};
  return j.dump();
}

std::optional<MboxCursor> MboxCursor::parse(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("kind", "") != "mbox") return std::nullopt;
  if (!j.contains("offset") || !j["offset"].is_number_unsigned() || !j.contains("window_hash") ||
      !j["window_hash"].is_number_unsigned()) {
    return std::nullopt;
  }
  MboxCursor c;
  c.offset = j["offset"].get<uint64_t>();
  c.windowHash = j["window_hash"].get<uint64_t>();
  return c;
}

}  // namespace crmsync::email
