// Identity resolution against the customer database: the dedupe stage's work inside a run, and the manual
// operations (explain, unmerge) on what it decided. See docs/matching.md.
//
// A match record is a customer source record, identified by the customer row the load path made for it (its
// base customer). Golden records are base customers with merged_into NULL; the members of a golden record have
// merged_into = the golden record's id (always the smallest member id, so a re-run decides the same).
//
// Incremental matching: a run re-clusters only the records its new and changed records can affect, found
// through the persisted blocking index (match_key): the clusters of (1) the new and changed records, (2) the
// records sharing a key value with them, (3) the records of key values the frequency cap now stops or no
// longer stops, (4) the neighbours of their sorted-neighbourhood values, and then, until nothing is added, the
// clusters of any record outside the set that matches a record inside it. The records of that closed set have
// no matching pair with any record outside it, so clustering the set from scratch gives what a full run gives.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmsync/core/status.hpp"
#include "crmsync/match/dedupe_config.hpp"

namespace soci {
class session;
}

namespace crmsync::match {

/// Figures of one resolution, for the run summary.
struct ResolveStats {
  bool fullRematch = false;  // every record re-matched (first run, or the configuration changed)
  bool trained = false;      // a Fellegi-Sunter model was trained in this run
  int64_t records = 0;       // new and changed records matched
  int64_t affected = 0;      // records re-clustered
  int64_t candidatePairs = 0;
  int64_t matchedPairs = 0;
  int64_t cappedValues = 0;  // key values the frequency cap stopped
  int64_t refusedPairs = 0;  // matches not applied because of a cannot-link decision
  int64_t merged = 0;        // records that joined a golden record in this run
  int64_t split = 0;         // records that left a golden record in this run
  int64_t goldenUpdated = 0;
  int64_t largestCluster = 0;    // records in the largest golden record this run wrote (a warning above 50)
  int64_t largestClusterId = 0;
  double seconds = 0;
  nlohmann::json phases = nlohmann::json::object();  // seconds per phase
  nlohmann::json toJson() const;
};

class Resolver {
 public:
  /// Works on `sql` inside a transaction the caller owns. backend: "sqlite" or "postgresql".
  /// `sources`: the sources whose customer records the stage matches (in pipeline order).
  Resolver(soci::session& sql, std::string backend, std::shared_ptr<Matcher> matcher, std::string pipeline,
           std::vector<std::string> sources, int64_t runId);
  ~Resolver();

  /// Record values as the stage extracts them from a record's fields (configured fields, in FieldSet order).
  int32_t groupOf(const std::string& source) const;

  /// Matches the run's new and changed customer records (id = base customer id) and writes merges, golden
  /// records, the blocking index and merge_log. oldPayloads[i] is fresh[i]'s payload before the run (JSON) when
  /// the record changed, else empty: its old key values leave the index.
  Result<ResolveStats> resolve(std::vector<MatchRecord> fresh, const std::vector<std::string>& oldPayloads);

  /// A record as matching sees it, from its payload.
  Result<MatchRecord> loadRecord(int64_t customerId);

  /// Splits `records` out of their golden record: they stay together, the rest of its members stay together,
  /// and a cannot-link decision between the two sides keeps later runs from merging them again. With `all`, every
  /// member becomes its own customer (cannot-link between every two). Re-clusters the affected records, so
  /// members that still match each other on their own stay merged.
  Result<ResolveStats> unmerge(const std::vector<int64_t>& records, bool all, const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The match fields of a record payload (a JSON object of fields); empty values read as null.
MatchRecord matchRecordFromPayload(int64_t id, int32_t group, const std::string& payload, const FieldSet& fields);

/// Resolves "123" (a customer id) or "SOURCE:KEY" / "SOURCE/KEY" to the base customer id of a customer record.
Result<int64_t> findRecord(soci::session& sql, const std::string& ref);

}  // namespace crmsync::match
