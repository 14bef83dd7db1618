// The statements and scratch buffers of one run's transaction, prepared on first use and kept for the run.
#pragma once

#include <soci/soci.h>
#include <xxhash.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/batch_statement.hpp"
#include "store/entity_writer.hpp"
#include "store/record_codec.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::store {

// Keys per existence lookup on PostgreSQL (an IN list of this many placeholders).
constexpr size_t kLookupKeys = 100;
constexpr size_t kCustomerColumns = kCustomerFieldColumns.size();

// A statement prepared on first use and kept for the rest of the run.
class Prepared {
 public:
  template <typename Bind>
  soci::statement& get(soci::session& sql, const std::string& query, Bind&& bind) {
    if (!st_) {
      auto st = std::make_unique<soci::statement>(sql);
      bind(*st);
      st->alloc();
      st->prepare(query);
      st->define_and_bind();
      st_ = std::move(st);
    }
    return *st_;
  }

 private:
  std::unique_ptr<soci::statement> st_;
};

/// ":k0, :k1, ..." for n named placeholders.
std::string placeholders(std::string_view prefix, size_t n);

// 64-bit hashes of the keys a run inserted, for sources that were empty when the run first wrote to them:
// open addressing, 16 bytes a key at most. A hash collision only costs a needless lookup.
class KeyHashSet {
 public:
  bool contains(uint64_t h) const {
    if (slots_.empty()) return false;
    h = h ? h : 1;
    for (size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == h) return true;
      if (slots_[i] == 0) return false;
    }
  }
  void insert(uint64_t h) {
    h = h ? h : 1;
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == h) return;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return;
      }
    }
  }

 private:
  void grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    size_ = 0;
    for (uint64_t h : old) {
      if (h) insert(h);
    }
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

inline uint64_t keyHash(const std::string& key) { return XXH3_64bits(key.data(), key.size()); }

// What the lookup found for a record of the chunk.
struct Existing {
  enum Kind { kNew, kSame, kChanged } kind = kNew;
  long long id = 0;
  bool hasCustomer = false;
  long long customerId = 0;
  std::string oldPayload;  // the stored payload of a changed record: its contact points are to be replaced
};

// A contact point not yet written; kind is "email", "phone", "handle" or "erp_id" (static storage).
struct PendingPoint {
  std::string_view kind;
  std::string value;
  long long customerId = 0;

  auto key() const { return std::tie(kind, value, customerId); }
};

struct RunStatements {
  RunStatements();

  // existence lookup
  std::string lookupSource, lookupEntity;
  std::array<std::string, kLookupKeys> lookupKeys;
  std::vector<std::string> foundKey, foundHash, foundPayload;
  std::vector<long long> foundId, foundCustomer;
  std::vector<soci::indicator> foundCustomerInd;
  Prepared lookup;
  std::unique_ptr<SqliteStatement> sqliteLookup;

  // customer id allocation
  long long maxId = 0;
  long long idCount = 0;
  std::vector<long long> newIds;
  Prepared maxCustomerId, nextCustomerIds;

  IntCol custId, custRun;
  std::array<TextCol, kCustomerColumns> custCols;
  TextCol custNow;
  BatchStatement insertCustomer;

  IntCol updId, updRun;
  std::array<IntCol, kCustomerColumns> updHas;
  std::array<TextCol, kCustomerColumns> updCols;
  TextCol updNow;
  BatchStatement updateCustomer;

  TextCol srSource, srEntity, srKey, srHash, srPayload, srFlags, srOrigin, srSourceUpdated, srNow;
  IntCol srCustomer, srRun;
  BatchStatement insertSourceRecord;

  IntCol suId, suCustomer, suRun;
  TextCol suHash, suPayload, suFlags, suOrigin, suSourceUpdated, suNow;
  BatchStatement updateSourceRecord;

  TextCol cdKind, cdValue;
  IntCol cdCustomer;
  BatchStatement deleteContactPoints;

  TextCol cpKind, cpValue;
  IntCol cpCustomer;
  BatchStatement insertContactPoints;
  // Contact points wait here until the run commits (or the buffer is full) and are then written in key order:
  // appended to the (kind, value_norm, customer_id) key instead of inserted at random places in it.
  std::vector<PendingPoint> pendingPoints;
  std::unordered_set<long long> pendingCustomers;
  // Whether this run wrote contact points: interactions without a customer may now have one.
  bool pointsWritten = false;

  // One writer per entity table (entityTables() order), made when the run first writes that entity.
  std::vector<std::unique_ptr<EntityWriter>> entities;
  std::vector<UnwrittenRecord> unwritten;

  long long qRun = 0;
  std::string qSource, qKey, qOrigin, qPayload, qReasons, qNow;
  soci::indicator qKeyInd = soci::i_null, qPayloadInd = soci::i_null;
  Prepared insertQuarantine;

  long long cRun = 0;
  std::string cPipeline, cSource, cCursor, cNow;
  Prepared upsertCursor;

  // per-chunk scratch
  std::vector<std::string> hashes;
  std::vector<Existing> existing;
  std::vector<long long> customerOf;  // customer id per record of the chunk, 0 when none
  std::vector<char> needsCustomer;
  std::unordered_map<std::string_view, size_t> keyIndex;
  std::vector<size_t> maybeKnown;

  // Per source and entity ("source\x1fentity"): empty when this run first wrote to it? Then only keys this run
  // inserted can exist, and the rest need no lookup: a first load does none.
  struct SourceKeys {
    bool emptyAtStart = false;
    KeyHashSet inserted;
  };
  std::unordered_map<std::string, SourceKeys> sourceKeys;

  void resetColumns();

 private:
  std::vector<BatchColumn> customerInsertColumns();
  std::vector<BatchColumn> customerUpdateColumns();
};

}  // namespace crmsync::store
