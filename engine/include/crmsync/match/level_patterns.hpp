// Counting of distinct comparison-level patterns. Millions of candidate pairs usually show only a few thousand
// distinct level vectors, so Fellegi-Sunter training works on (pattern, count) instead of on pairs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/scorer.hpp"

namespace crmsync::match {

/// Distinct level patterns and how many pairs showed each, in a deterministic order.
struct PatternTable {
  size_t width = 0;             // comparisons per pattern
  std::vector<int8_t> levels;   // pattern i is levels[i*width .. (i+1)*width)
  std::vector<uint64_t> counts; // pairs per pattern
  uint64_t totalPairs = 0;

  size_t size() const { return counts.size(); }
  std::span<const int8_t> pattern(size_t i) const { return {levels.data() + i * width, width}; }
};

/// Accumulates the level vectors of pairs. A pattern is encoded as a mixed-radix number over (levels + 1) per
/// comparison: a dense array of counters when the code space is small, a hash map otherwise.
class LevelPatterns {
 public:
  explicit LevelPatterns(std::vector<ScoringField> fields);

  /// Counts one pair (`count` times). Refuses a vector of the wrong length or a level outside -1..levels-1.
  Status add(std::span<const int8_t> levels, uint64_t count = 1);

  /// Counts pairs stored one after another, fields().size() levels each. On a bad row, the rows before it
  /// stay counted and the error names the problem.
  Status addRows(std::span<const int8_t> rowMajor);

  /// Adds another counter's pairs (e.g. one filled by another thread); the fields must be the same.
  Status merge(const LevelPatterns& other);

  const std::vector<ScoringField>& fields() const { return fields_; }
  uint64_t totalPairs() const { return total_; }

  /// The distinct patterns seen so far, ordered by code (so training is reproducible).
  PatternTable table() const;

 private:
  // 512 KiB of counters at most: training keeps one table per blocking key, and a few thousand distinct
  // patterns fill a hash map faster than a larger array is cleared.
  static constexpr uint64_t kDenseLimit = 1u << 16;

  bool encode(std::span<const int8_t> levels, uint64_t& code) const;
  void decode(uint64_t code, int8_t* out) const;

  std::vector<ScoringField> fields_;
  std::vector<uint64_t> radix_;
  bool wide_ = false;  // code space does not fit 64 bits: patterns are keyed by their bytes
  std::vector<uint64_t> dense_;
  std::unordered_map<uint64_t, uint64_t> sparse_;
  std::unordered_map<std::string, uint64_t> bytes_;
  uint64_t codeSpace_ = 0;
  uint64_t total_ = 0;
};

}  // namespace crmsync::match
