#include "file_cursor.hpp"

#include <nlohmann/json.hpp>
#include <xxhash.h>

#include <charconv>
#include <cstdio>

namespace crmsync::spreadsheet {
namespace {

constexpr int kCursorVersion = 1;

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<uint64_t> parseHex64(const std::string& s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

FileFingerprint fingerprint(std::string_view bytes) { return {bytes.size(), XXH3_64bits(bytes.data(), bytes.size())}; }

FileCursor FileCursor::parse(const std::optional<std::string>& json, std::string* problem) {
  FileCursor cursor;
  if (!json || json->empty()) return cursor;
  auto doc = nlohmann::json::parse(*json, nullptr, false);
  auto complain = [&](const std::string& what) {
    if (problem) *problem = "previous cursor ignored, every file is read again: " + what;
    return FileCursor{};
  };
  if (doc.is_discarded() || !doc.is_object()) return complain("it is not a JSON object");
  if (doc.value("version", 0) != kCursorVersion) return complain("unknown cursor version");
  auto files = doc.find("files");
  if (files == doc.end() || !files->is_object()) return complain("it has no \"files\" object");
  if (auto settings = doc.find("settings"); settings != doc.end()) {
    auto hash = settings->is_string() ? parseHex64(settings->get<std::string>()) : std::nullopt;
    if (!hash) return complain("its \"settings\" hash is malformed");
    cursor.settings_ = hash;
  }
  for (const auto& [path, entry] : files->items()) {
    if (!entry.is_object() || !entry.contains("size") || !entry["size"].is_number_unsigned() ||
        !entry.contains("xxh3") || !entry["xxh3"].is_string()) {
      return complain("entry for " + path + " is malformed");
    }
    auto hash = parseHex64(entry["xxh3"].get<std::string>());
    if (!hash) return complain("entry for " + path + " has a bad hash");
    cursor.files_[path] = {entry["size"].get<uint64_t>(), *hash};
  }
  return cursor;
}

std::optional<FileFingerprint> FileCursor::find(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::string FileCursor::toJson() const {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [path, fp] : files_) files[path] = {{"size", fp.size}, {"xxh3", hex64(fp.hash)}};
  nlohmann::json doc = {{"version", kCursorVersion}, {"files", files}};
  if (settings_) doc["settings"] = hex64(*settings_);
  // A file name need not be UTF-8 on Linux; replace bad bytes rather than fail the run over a cursor.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace crmsync::spreadsheet
