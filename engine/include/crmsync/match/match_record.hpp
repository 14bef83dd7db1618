// The record shape blocking, comparison and clustering work on: an id, the source it came from and the values
// of the configured match fields, addressed by position so a pair can be compared without name lookups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::match {

/// The match fields in order: names -> positions in MatchRecord::values. Owns its names; cheap to look up
/// because pipelines configure a handful of fields.
class FieldSet {
 public:
  FieldSet() = default;
  explicit FieldSet(std::vector<std::string> names) : names_(std::move(names)) {}

  /// Position of a field, or nothing when the set does not hold it.
  std::optional<size_t> indexOf(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return i;
    }
    return std::nullopt;
  }
  /// Appends a field (or finds it) and returns its position.
  size_t add(std::string_view name) {
    if (auto i = indexOf(name)) return *i;
    names_.emplace_back(name);
    return names_.size() - 1;
  }
  const std::vector<std::string>& names() const { return names_; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

/// One record as matching sees it. `group` is the source or dataset: when two datasets are linked only pairs
/// across groups count. `values` follows a FieldSet; std::nullopt is a null value, and a record shorter than the
/// field set reads as null in the missing positions.
struct MatchRecord {
  int64_t id = 0;
  int32_t group = 0;
  std::vector<std::optional<std::string>> values;

  /// The value at `field`, or nothing when null or absent.
  std::optional<std::string_view> value(size_t field) const {
    if (field >= values.size() || !values[field]) return std::nullopt;
    return std::string_view(*values[field]);
  }
};

}  // namespace crmsync::match
