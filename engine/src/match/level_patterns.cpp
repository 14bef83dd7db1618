#include "crmsync/match/level_patterns.hpp"

#include <algorithm>
#include <limits>

namespace crmsync::match {

LevelPatterns::LevelPatterns(std::vector<ScoringField> fields) : fields_(std::move(fields)) {
  uint64_t space = 1;
  for (const auto& f : fields_) {
    radix_.push_back(space);
    uint64_t base = static_cast<uint64_t>(std::max(f.levels, 1)) + 1;
    if (!wide_ && space > std::numeric_limits<uint64_t>::max() / base) wide_ = true;
    if (!wide_) space *= base;
  }
  codeSpace_ = wide_ ? 0 : space;
  if (!wide_ && codeSpace_ <= kDenseLimit) dense_.assign(codeSpace_, 0);
}

bool LevelPatterns::encode(std::span<const int8_t> levels, uint64_t& code) const {
  if (levels.size() != fields_.size()) return false;
  code = 0;
  for (size_t k = 0; k < levels.size(); ++k) {
    int l = levels[k];
    if (l < -1 || l >= fields_[k].levels) return false;
    if (!wide_) code += static_cast<uint64_t>(l + 1) * radix_[k];
  }
  return true;
}

void LevelPatterns::decode(uint64_t code, int8_t* out) const {
  for (size_t k = 0; k < fields_.size(); ++k) {
    uint64_t base = static_cast<uint64_t>(std::max(fields_[k].levels, 1)) + 1;
    out[k] = static_cast<int8_t>(static_cast<int64_t>(code % base) - 1);
    code /= base;
  }
}

Status LevelPatterns::add(std::span<const int8_t> levels, uint64_t count) {
  uint64_t code = 0;
  if (!encode(levels, code)) {
    if (levels.size() != fields_.size())
      return invalidInput("level vector has " + std::to_string(levels.size()) + " entries but " +
                          std::to_string(fields_.size()) + " comparisons are configured");
    for (size_t k = 0; k < levels.size(); ++k)
      if (levels[k] < -1 || levels[k] >= fields_[k].levels)
        return invalidInput("comparison '" + fields_[k].name + "' has levels 0.." +
                            std::to_string(fields_[k].levels - 1) + " (or -1 for null) but a pair has level " +
                            std::to_string(levels[k]));
  }
  if (wide_) {
    bytes_[std::string(reinterpret_cast<const char*>(levels.data()), levels.size())] += count;
  } else if (!dense_.empty()) {
    dense_[code] += count;
  } else {
    sparse_[code] += count;
  }
  total_ += count;
  return Status::ok();
}

Status LevelPatterns::addRows(std::span<const int8_t> rowMajor) {
  const size_t width = fields_.size();
  if (width == 0) return invalidInput("no comparisons are configured");
  if (rowMajor.size() % width != 0)
    return invalidInput("level rows hold " + std::to_string(rowMajor.size()) + " values, not a multiple of " +
                        std::to_string(width) + " comparisons");
  // The dense path is the one that matters for millions of pairs: no hashing, one increment per pair.
  if (!wide_ && !dense_.empty()) {
    uint64_t done = 0;
    for (size_t row = 0; row < rowMajor.size(); row += width, ++done) {
      uint64_t code = 0;
      if (!encode(rowMajor.subspan(row, width), code)) {
        total_ += done;
        return add(rowMajor.subspan(row, width));
      }
      ++dense_[code];
    }
    total_ += done;
    return Status::ok();
  }
  for (size_t row = 0; row < rowMajor.size(); row += width) RETURN_IF_ERROR(add(rowMajor.subspan(row, width)));
  return Status::ok();
}

Status LevelPatterns::merge(const LevelPatterns& other) {
  bool same = other.fields_.size() == fields_.size();
  for (size_t k = 0; same && k < fields_.size(); ++k)
    same = other.fields_[k].name == fields_[k].name && other.fields_[k].levels == fields_[k].levels;
  if (!same) return invalidInput("cannot merge level patterns counted over different comparisons");
  for (size_t i = 0; i < other.dense_.size(); ++i) dense_[i] += other.dense_[i];
  for (const auto& [code, count] : other.sparse_) sparse_[code] += count;
  for (const auto& [key, count] : other.bytes_) bytes_[key] += count;
  total_ += other.total_;
  return Status::ok();
}

PatternTable LevelPatterns::table() const {
  PatternTable t;
  t.width = fields_.size();
  t.totalPairs = total_;
  auto push = [&](uint64_t code, uint64_t count) {
    size_t at = t.levels.size();
    t.levels.resize(at + t.width);
    decode(code, t.levels.data() + at);
    t.counts.push_back(count);
  };
  if (wide_) {
    std::vector<std::pair<std::string, uint64_t>> rows(bytes_.begin(), bytes_.end());
    std::sort(rows.begin(), rows.end());
    for (const auto& [key, count] : rows) {
      t.levels.insert(t.levels.end(), key.begin(), key.end());
      t.counts.push_back(count);
    }
  } else if (!dense_.empty()) {
    for (uint64_t code = 0; code < dense_.size(); ++code)
      if (dense_[code] != 0) push(code, dense_[code]);
  } else {
    std::vector<std::pair<uint64_t, uint64_t>> rows(sparse_.begin(), sparse_.end());
    std::sort(rows.begin(), rows.end());
    for (const auto& [code, count] : rows) push(code, count);
  }
  return t;
}

}  // namespace crmsync::match
