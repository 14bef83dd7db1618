// Term frequencies for the Fellegi-Sunter term-frequency adjustment: how common each value of a field is, so
// that agreeing on a common value ("Smith") counts as weaker evidence than agreeing on a rare one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crmsync::match {

/// Value -> relative frequency (share of records holding the value, in (0, 1]). The caller decides how values
/// are normalised; lookups must use the same normalisation. Immutable after filling; lookups are thread-safe.
class TermFrequencyTable {
 public:
  /// Records a value's frequency; values outside (0, 1] or NaN are ignored.
  void setFrequency(std::string value, double frequency);

  /// Counts every non-empty value and stores count / number of non-empty values.
  static TermFrequencyTable fromValues(std::span<const std::string> values);
  static TermFrequencyTable fromValues(std::span<const std::string_view> values);

  /// Frequency of `value`, or nothing when the table does not know it.
  std::optional<double> frequency(std::string_view value) const {
    auto it = table_.find(value);
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }

  size_t size() const { return table_.size(); }
  bool empty() const { return table_.empty(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, double, Hash, std::equal_to<>> table_;
};

}  // namespace crmsync::match
