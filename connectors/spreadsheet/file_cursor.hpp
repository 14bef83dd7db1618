// The source's cursor: for each file read successfully, its size and content hash, so an unchanged file is
// skipped on the next run, plus a hash of the settings that shape records (a changed `columns` map must reach
// files that did not change). Stored by the engine as this JSON text:
//   {"version":1,"settings":"5be0c3a1d2e4f607",
//    "files":{"/data/in/contacts.csv":{"size":1234,"xxh3":"9f0c2d51a8e3b7c4"}}}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::spreadsheet {

/// What identifies a file's content: its size and XXH3-64 hash.
struct FileFingerprint {
  uint64_t size = 0;
  uint64_t hash = 0;
  bool operator==(const FileFingerprint&) const = default;
};

/// XXH3-64 of a file's bytes.
FileFingerprint fingerprint(std::string_view bytes);

class FileCursor {
 public:
  /// Parses the cursor of the previous run. Text it cannot understand gives an empty cursor (every file is read
  /// again, which is safe) and a note in *problem.
  static FileCursor parse(const std::optional<std::string>& json, std::string* problem);

  std::optional<FileFingerprint> find(const std::string& path) const;
  /// Hash of the settings the files were read with (SourceOptions::settingsHash); std::nullopt when unknown.
  std::optional<uint64_t> settings() const { return settings_; }
  void setSettings(uint64_t hash) { settings_ = hash; }
  void set(const std::string& path, FileFingerprint fp) { files_[path] = fp; }
  size_t size() const { return files_.size(); }

  std::string toJson() const;

 private:
  std::map<std::string, FileFingerprint> files_;
  std::optional<uint64_t> settings_;
};

}  // namespace crmsync::spreadsheet
