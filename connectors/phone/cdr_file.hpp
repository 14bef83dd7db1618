// A CDR file read as it grows: complete lines from a byte offset, in fixed-size chunks (memory stays flat
// however large the file), and the cursor that says where the last run stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::phone {

/// Where a CDR file was left: the byte offset after the last complete line read, with its line number and a
/// fingerprint of the bytes before it (so a rotated or truncated file is read again from the start); and the
/// tail the next run re-reads so that calls still open at the end of the file get their later legs. Stored as
///   {"version":1,"format":"asterisk","file":"/var/log/asterisk/cdr-csv/Master.csv","settings":"…",
///    "offset":1234,"line":40,"tail":1100,"tail_line":36,"head":"<xxh3 hex>","before":"<xxh3 hex>"}
struct CdrCursor {
  std::string format;
  std::string file;
  std::string settings;  // hash of the settings that shape records; a change reads the file again
  uint64_t offset = 0;
  uint64_t line = 1;  // line number of the line that starts at offset
  uint64_t tail = 0;
  uint64_t tailLine = 1;
  uint64_t head = 0;    // XXH3 of the first (up to) 64 KiB of the file
  uint64_t before = 0;  // XXH3 of the (up to) 64 KiB before offset

  /// std::nullopt (and *problem) for text that is not such a cursor.
  static std::optional<CdrCursor> parse(const std::string& text, std::string* problem);
  std::string toJson() const;
};

/// One open CDR file. The size is taken when it is opened: lines appended while a run reads belong to the next.
class CdrFile {
 public:
  /// Throws sdk::Error(CRMSYNC_ERR_IO) naming the file and the system's reason.
  explicit CdrFile(const std::string& path);
  ~CdrFile();
  CdrFile(const CdrFile&) = delete;
  CdrFile& operator=(const CdrFile&) = delete;

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  /// The fingerprint a cursor at `offset` keeps: XXH3 of the first and of the last (up to) 64 KiB before it.
  std::pair<uint64_t, uint64_t> fingerprint(uint64_t offset) const;

  using LineFn = std::function<void(std::string_view line, uint64_t offset, uint64_t lineNumber)>;
  /// Calls fn for every complete line (ending in LF; a CR before it is dropped) from `from`, whose line number
  /// is `line`. Blank lines are counted but not passed. A last line without LF is left for the next run.
  /// Returns the offset after the last complete line; *endLine receives the number of the line starting there.
  uint64_t readLines(uint64_t from, uint64_t line, const LineFn& fn, uint64_t* endLine) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace crmsync::phone
