// Finds repeated source keys within one file. A file of a million rows has a million keys: an open-addressing
// table over one arena of key bytes costs a few allocations where std::unordered_map<std::string, ...> costs
// a million nodes and a cache miss per node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// The keys seen so far in a file and the position (line or row) of the first row that had each.
class KeyIndex {
 public:
  /// Records `key` first seen at `position`. When the key was already there, nothing changes and the position
  /// of its first occurrence comes back.
  std::optional<uint64_t> insert(std::string_view key, uint64_t position);

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t position = 0;
    uint64_t offset = 0;  // into arena_
    uint32_t length = 0;
    bool used = false;
  };

  void grow();

  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

}  // namespace crmsync::spreadsheet
