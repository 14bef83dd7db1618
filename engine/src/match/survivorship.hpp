// Golden records: each customer column chosen among the values of the records merged into the customer, by the
// configured survivorship rule of the column.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmsync/match/dedupe_config.hpp"
#include "store/database_url.hpp"
#include "store/record_codec.hpp"

namespace soci {
class session;
}

namespace crmsync::match {

inline constexpr size_t kGoldenColumns = store::kCustomerFieldColumns.size();

/// One record of a golden record, as survivorship sees it. Its texts are kept in one string: a first run holds
/// the records of every golden record at once (600,000 of a million records).
class MemberRecord {
 public:
  using Columns = std::array<std::optional<std::string_view>, kGoldenColumns>;

  /// updatedAt: the source's own timestamp when it gave one, else when crmsync last wrote the record.
  MemberRecord(int64_t id, std::string_view source, std::string_view updatedAt, const Columns& columns);

  int64_t id() const { return id_; }
  std::string_view source() const { return text(0); }
  std::string_view updatedAt() const { return text(1); }
  /// The value of customer column c (kCustomerFieldColumns order), or none.
  std::optional<std::string_view> column(size_t c) const {
    if (!((present_ >> c) & 1)) return std::nullopt;
    return text(c + 2);
  }
  /// Columns with a non-empty value.
  size_t filled() const { return filled_; }

 private:
  std::string_view text(size_t i) const {
    const uint32_t begin = i ? end_[i - 1] : 0;
    return std::string_view(text_).substr(begin, end_[i] - begin);
  }

  int64_t id_;
  std::string text_;                            // source, updatedAt, then every column with a value
  std::array<uint32_t, kGoldenColumns + 2> end_;  // where each of them ends in text_
  uint32_t present_ = 0;                        // bit c: column c has a value (perhaps empty)
  uint32_t filled_ = 0;
};

/// The golden values of a customer: views into its members' texts.
using GoldenColumns = std::array<std::optional<std::string_view>, kGoldenColumns>;

/// The golden values of one customer. Deterministic: ties fall to the most recent record, then the smallest id.
GoldenColumns survive(std::span<const MemberRecord* const> members, const SurvivorshipConfig& config);

/// Reads the members' payloads and writes the golden columns of each root (a customer row). Throws soci_error.
void writeGolden(soci::session& sql, store::Backend backend, const std::vector<int64_t>& roots,
                 const std::unordered_map<int64_t, std::vector<int64_t>>& members, const SurvivorshipConfig& config,
                 int64_t runId, const std::string& now);

}  // namespace crmsync::match
