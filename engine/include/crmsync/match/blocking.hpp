// Blocking: which record pairs are worth comparing. Comparing every pair of a million records is 5e11
// comparisons; blocking keeps only pairs that agree on at least one blocking key (the union over all keys), so
// that a typo in one field still leaves another key to bring the pair together.
//
// A key is built from one or more fields, each through a transform; a key value held by more records than the
// frequency cap stops blocking (as Odoo ignores a duplicate criterion matching 21 or more records), because a
// value like "gmail.com" or an empty-looking "N/A" would otherwise pull in a quadratic number of useless pairs.
// Capped values are reported so that the pipeline can say which key was too coarse.
//
// Output is deterministic: pairs are sorted and unique whatever the input order of keys or values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/match_record.hpp"

namespace crmsync::match {

/// How a field's value becomes (part of) a key value. Null and empty values, and transforms that leave
/// nothing, give no key value: records never block together on "missing".
enum class KeyTransform : uint8_t {
  kExact,          // the value as it is
  kFirstChars,     // the first `length` code points (a CJK name's family name is its first character)
  kSortedTokens,   // distinct tokens in byte order joined by one space: "Smith John" == "John Smith"
  kEachToken,      // every distinct token is a key value of its own (multi-valued)
  kPhoneticCodes,  // the field holds phonetic codes "P|A"; each code is a key value of its own
  kLastDigits,     // the last `length` ASCII digits (a phone without its varying prefix); none when fewer
};

/// Config spelling: "exact", "first_chars", "sorted_tokens", "each_token", "phonetic_codes", "last_digits".
const char* keyTransformName(KeyTransform t);
std::optional<KeyTransform> keyTransformFromName(std::string_view name);

struct KeyPart {
  std::string field;
  KeyTransform transform = KeyTransform::kExact;
  size_t length = 0;  // kFirstChars and kLastDigits; 0 means all
};

enum class BlockingMethod : uint8_t {
  /// Records with equal key values are candidates.
  kStandard,
  /// Records are sorted by key value (then id) and each is paired with the next window-1 records, so that
  /// near values ("Meyer", "Meyers") meet too. The frequency cap does not apply: the window already bounds the
  /// pairs per record.
  kSortedNeighbourhood,
};

/// One blocking key. With several parts the key value is the parts' values joined by U+001F; a record yields
/// no value when any part yields none, and all combinations when parts are multi-valued.
struct BlockingKey {
  std::string name;
  std::vector<KeyPart> parts;
  BlockingMethod method = BlockingMethod::kStandard;
  size_t window = 5;  // kSortedNeighbourhood, at least 2
};

struct BlockingOptions {
  /// Linking two datasets: only pairs of records from different groups are candidates.
  bool crossGroupOnly = false;
  /// A standard key value held by more than this many records does not block (Odoo's limit: 21 or more
  /// records, i.e. 20). 0 turns the cap off.
  size_t maxBlockSize = 20;
};

/// Two records by position in the blocked span; first < second.
struct CandidatePair {
  uint32_t first = 0;
  uint32_t second = 0;
  friend bool operator==(const CandidatePair&, const CandidatePair&) = default;
  friend auto operator<=>(const CandidatePair&, const CandidatePair&) = default;
};

/// Two records by id; first < second.
struct IdPair {
  int64_t first = 0;
  int64_t second = 0;
  friend bool operator==(const IdPair&, const IdPair&) = default;
  friend auto operator<=>(const IdPair&, const IdPair&) = default;
};

/// A key value that the frequency cap stopped, with the number of records holding it.
struct CappedValue {
  std::string key;
  std::string value;
  size_t records = 0;
};

/// A key value one record produces, as the dedupe stage persists it for incremental matching.
struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

struct BlockingResult {
  std::vector<CandidatePair> pairs;    // sorted, unique
  std::vector<CappedValue> capped;     // by key (in configuration order), then value
  std::vector<uint64_t> pairsPerKey;   // pairs each key produced before the union, in configuration order
};

/// Validated blocking keys bound to a field set. Immutable; block() may run from several threads.
class Blocker {
 public:
  /// Refuses keys without a name or parts, duplicate names, unknown fields (with a "did you mean" hint), a
  /// sorted-neighbourhood window below 2, and a kFirstChars / kLastDigits part of length 0 (which would make
  /// it an exact key under a misleading name).
  static Result<Blocker> create(std::vector<BlockingKey> keys, const FieldSet& fields,
                                BlockingOptions options = {});

  const std::vector<BlockingKey>& keys() const { return keys_; }
  const BlockingOptions& options() const { return options_; }

  /// Every (key name, key value) a record produces, keys in configuration order, values sorted and unique.
  std::vector<KeyValue> keyValues(const MatchRecord& record) const;

  /// The values of one key for a record, sorted and unique, into `out` (cleared first).
  void keyValues(const MatchRecord& record, size_t key, std::vector<std::string>& out) const;

  /// Candidate pairs of `records` (at most 2^32 - 1 of them). Memory is proportional to the records plus the
  /// pairs the keys produce.
  BlockingResult block(std::span<const MatchRecord> records) const;

 private:
  std::vector<BlockingKey> keys_;
  std::vector<std::vector<size_t>> partFields_;
  BlockingOptions options_;
};

/// How good a blocking is. Recall needs ground truth: the true entity of each record.
struct BlockingStats {
  size_t records = 0;
  uint64_t candidatePairs = 0;
  uint64_t possiblePairs = 0;    // all pairs (across groups only when linking)
  double reductionRatio = 0.0;   // 1 - candidatePairs / possiblePairs
  std::vector<uint64_t> pairsPerKey;
  std::vector<CappedValue> capped;
  /// With ground truth: pairs of records of one entity (that blocking could have found), how many it found,
  /// recall = found / true pairs (1 when there are none) and precision ("pairs quality") = found / candidates.
  std::optional<uint64_t> truePairs;
  std::optional<uint64_t> truePairsFound;
  std::optional<double> pairsRecall;
  std::optional<double> pairsPrecision;
};

/// Statistics of a blocking of `records`. `entityIds`, when not empty, holds the true entity of each record
/// (same order as records). `crossGroupOnly` must be the option the blocking ran with.
BlockingStats blockingStats(std::span<const MatchRecord> records, const BlockingResult& result,
                            bool crossGroupOnly, std::span<const int64_t> entityIds = {});

/// The key values of records already matched (key value -> ids), for incremental blocking: new records are
/// paired with existing ones without re-blocking everything. The dedupe stage loads it from the key values it
/// persisted (addKeyValue) or fills it from records (add).
///
/// candidates(newRecords) gives exactly the pairs that Blocker::block over existing ∪ new would give that
/// involve a new record, frequency cap and sorted neighbourhood included (the cap counts existing and new
/// records together).
class BlockingIndex {
 public:
  explicit BlockingIndex(Blocker blocker);

  /// Adds one persisted key value of an existing record. Each (key, value, id) must be added once. Refuses an
  /// unknown key name.
  Status addKeyValue(std::string_view key, std::string_view value, int64_t id, int32_t group);

  /// Adds a record's key values.
  void add(const MatchRecord& record);
  void add(std::span<const MatchRecord> records);

  /// Candidate pairs new × (existing ∪ new), by id, sorted and unique. New records must not already be in the
  /// index; the index is not changed (call add afterwards to keep them).
  std::vector<IdPair> candidates(std::span<const MatchRecord> newRecords) const;

  const Blocker& blocker() const { return blocker_; }

 private:
  struct Entry {
    int64_t id;
    int32_t group;
  };
  struct SortedEntry {
    std::string value;
    int64_t id;
    int32_t group;
    friend bool operator<(const SortedEntry& a, const SortedEntry& b) {
      if (int c = a.value.compare(b.value); c != 0) return c < 0;
      return a.id < b.id;
    }
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void insert(size_t key, std::string_view value, int64_t id, int32_t group);

  Blocker blocker_;
  std::vector<std::unordered_map<std::string, std::vector<Entry>, Hash, std::equal_to<>>> standard_;
  std::vector<std::set<SortedEntry>> sorted_;  // sorted-neighbourhood keys, by (value, id)
};

}  // namespace crmsync::match
