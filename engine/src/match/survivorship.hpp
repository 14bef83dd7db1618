// Golden records: each customer column chosen among the values of the records merged into the customer, by the
// configured survivorship rule of the column.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmsync/match/dedupe_config.hpp"
#include "store/database_url.hpp"
#include "store/record_codec.hpp"

namespace soci {
class session;
}

namespace crmsync::match {

/// One record of a golden record, as survivorship sees it.
struct MemberRecord {
  int64_t id = 0;
  std::string source;
  std::string updatedAt;  // the source's own timestamp when it gave one, else when crmsync last wrote it
  std::array<std::optional<std::string>, store::kCustomerFieldColumns.size()> columns;
  size_t filled() const;
};

using GoldenColumns = std::array<std::optional<std::string>, store::kCustomerFieldColumns.size()>;

/// The golden values of one customer. Deterministic: ties fall to the most recent record, then the smallest id.
GoldenColumns survive(const std::vector<MemberRecord>& members, const SurvivorshipConfig& config);

/// Reads the members' payloads and writes the golden columns of each root (a customer row). Throws soci_error.
void writeGolden(soci::session& sql, store::Backend backend, const std::vector<int64_t>& roots,
                 const std::unordered_map<int64_t, std::vector<int64_t>>& members, const SurvivorshipConfig& config,
                 int64_t runId, const std::string& now);

}  // namespace crmsync::match
