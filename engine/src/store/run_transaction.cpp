#include "store/run_transaction.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "store/run_statements.hpp"
#include "store/sql_error.hpp"
#include "store/sql_store.hpp"

namespace crmsync::store {
namespace {

// Records per write round: bounds the bound-vector memory; large enough that per-statement costs vanish. The
// spreadsheet connector's batches are this size, so a batch is one round.
constexpr size_t kChunkRecords = 1024;
constexpr std::string_view kCustomerEntity = "customer";
// A PostgreSQL run that inserts more rows than this refreshes the planner's statistics before it commits.
constexpr int64_t kAnalyzeAfterInserts = 10000;
// Contact points held back before they are written in key order (about 60 MB).
constexpr size_t kPendingPointsLimit = 1000000;
// Contact points per insert round when the held-back points are written.
constexpr size_t kPointsPerRound = 10000;

// The contact points of a customer record: its email, phone, mobile, handle and erp_id; a mobile equal to the
// phone is one point. An erp_id is the source's own id, so its point is "<source>:<erp_id>": the orders of that
// source name their customer by it.
struct PointFields {
  std::optional<std::string_view> email, phone, mobile, handle, erpId;
};

template <typename F>
void forEachContactPoint(const std::string& source, const PointFields& p, F&& f) {
  auto point = [&](std::string_view kind, std::optional<std::string_view> v) {
    if (v && !v->empty()) f(kind, std::string(*v));
  };
  point("email", p.email);
  point("phone", p.phone);
  if (!(p.phone && p.mobile && *p.phone == *p.mobile)) point("phone", p.mobile);
  point("handle", p.handle);
  if (p.erpId && !p.erpId->empty()) f("erp_id", source + ":" + std::string(*p.erpId));
}

std::optional<std::string_view> fieldView(const Record& r, std::string_view name) {
  const auto* v = r.find(name);
  if (!v || !*v) return std::nullopt;
  return std::string_view(**v);
}

std::optional<std::string_view> jsonView(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return std::string_view(it->get_ref<const std::string&>());
}

PointFields recordPoints(const Record& r) {
  return {fieldView(r, "email"), fieldView(r, "phone"), fieldView(r, "mobile"), fieldView(r, "handle"),
          fieldView(r, "erp_id")};
}

PointFields payloadPoints(const nlohmann::json& j) {
  return {jsonView(j, "email"), jsonView(j, "phone"), jsonView(j, "mobile"), jsonView(j, "handle"),
          jsonView(j, "erp_id")};
}

}  // namespace

SqlRunTransaction::SqlRunTransaction(SqlStore& store, soci::session& sql, Backend backend, int64_t runId)
    : store_(store), sql_(sql), backend_(backend), runId_(runId), st_(std::make_unique<RunStatements>()) {}

SqlRunTransaction::~SqlRunTransaction() {
  if (state_ != State::kEnded) rollback();
}

Status SqlRunTransaction::checkOpen(const char* doing) const {
  if (state_ == State::kEnded) {
    return storeError(std::string("cannot ") + doing + ": run " + std::to_string(runId_) +
                      " has already been committed or rolled back");
  }
  if (state_ == State::kFailed) {
    return storeError(std::string("cannot ") + doing + ": run " + std::to_string(runId_) +
                      " failed earlier and can only be rolled back (" + failure_ + ")");
  }
  return Status::ok();
}

Status SqlRunTransaction::fail(Status st) {
  st = store_.scrub(std::move(st));
  if (state_ == State::kOpen) {
    state_ = State::kFailed;
    failure_ = st.message();
  }
  return st;
}

void SqlRunTransaction::endTransaction() {
  st_.reset();
  state_ = State::kEnded;
  store_.runEnded();
}

size_t SqlRunTransaction::chunkEnd(const std::vector<Record>& records, size_t begin) {
  // A key seen twice in one chunk would be looked up as new twice; the second occurrence starts the next
  // chunk instead, where the lookup sees the first one's row.
  chunkKeys_.clear();
  size_t end = begin;
  std::string key;
  while (end < records.size() && end - begin < kChunkRecords) {
    const Record& r = records[end];
    key.assign(r.entity);
    key.push_back('\x1f');
    key.append(r.sourceKey);
    if (!chunkKeys_.insert(key).second) break;
    ++end;
  }
  return end;
}

Result<UpsertCounts> SqlRunTransaction::upsert(const std::string& source, const std::vector<Record>& records) {
  RETURN_IF_ERROR(checkOpen("upsert records"));
  UpsertCounts counts;
  if (records.empty()) return counts;
  const std::string now = nowIso8601();
  Status st = guardSql("upserting records of source '" + source + "' in run " + std::to_string(runId_), [&] {
    size_t begin = 0;
    while (begin < records.size()) {
      size_t end = chunkEnd(records, begin);
      upsertChunk(source, records, begin, end, now, counts);
      begin = end;
    }
  });
  inserted_ += counts.inserted;
  if (!st.isOk()) return fail(st);
  return counts;
}

namespace {

RunStatements::SourceKeys& sourceKeysFor(RunStatements& s, soci::session& sql, const std::string& source,
                                         const std::string& entity) {
  std::string id = source + '\x1f' + entity;
  auto it = s.sourceKeys.find(id);
  if (it != s.sourceKeys.end()) return it->second;
  long long any = 0;
  sql << "SELECT COUNT(*) FROM (SELECT 1 FROM source_record WHERE source = :s AND entity = :e LIMIT 1) AS t",
      soci::use(source), soci::use(entity), soci::into(any);
  auto& keys = s.sourceKeys[id];
  keys.emptyAtStart = any == 0;
  return keys;
}

}  // namespace

// SQLite: one indexed point query per key on the native connection; cheaper than any batching SQLite offers.
void SqlRunTransaction::lookupSqlite(const std::string& source, const std::string& entity,
                                     const std::vector<Record>& records, size_t begin,
                                     const std::vector<size_t>& group) {
  RunStatements& s = *st_;
  if (!s.sqliteLookup) {
    s.sqliteLookup = std::make_unique<SqliteStatement>(
        sqliteHandle(sql_),
        "SELECT id, record_hash, customer_id, payload FROM source_record WHERE source = ?1 AND entity = ?2 AND "
        "source_key = ?3");
  }
  SqliteStatement& q = *s.sqliteLookup;
  q.bindText(1, source);
  q.bindText(2, entity);
  for (size_t k : group) {
    q.bindText(3, records[begin + k].sourceKey);
    if (!q.next()) continue;
    Existing& e = s.existing[k];
    e.id = q.columnInt(0);
    e.kind = q.columnText(1) == s.hashes[k] ? Existing::kSame : Existing::kChanged;
    e.hasCustomer = !q.columnIsNull(2);
    e.customerId = e.hasCustomer ? q.columnInt(2) : 0;
    if (e.kind == Existing::kChanged) e.oldPayload = q.columnText(3);
    q.reset();
  }
}

// PostgreSQL: kLookupKeys keys per round trip with an IN list.
void SqlRunTransaction::lookupPostgres(const std::string& source, const std::string& entity,
                                       const std::vector<Record>& records, size_t begin,
                                       const std::vector<size_t>& group) {
  RunStatements& s = *st_;
  soci::statement& lookup = s.lookup.get(
      sql_,
      "SELECT source_key, id, record_hash, customer_id, payload FROM source_record WHERE source = :s AND entity = :e "
      "AND source_key IN (" +
          placeholders("k", kLookupKeys) + ")",
      [&](soci::statement& q) {
        q.exchange(soci::use(s.lookupSource));
        q.exchange(soci::use(s.lookupEntity));
        for (auto& k : s.lookupKeys) q.exchange(soci::use(k));
        s.foundKey.resize(kLookupKeys + 1);
        s.foundId.resize(kLookupKeys + 1);
        s.foundHash.resize(kLookupKeys + 1);
        s.foundCustomer.resize(kLookupKeys + 1);
        s.foundCustomerInd.resize(kLookupKeys + 1);
        s.foundPayload.resize(kLookupKeys + 1);
        q.exchange(soci::into(s.foundKey));
        q.exchange(soci::into(s.foundId));
        q.exchange(soci::into(s.foundHash));
        q.exchange(soci::into(s.foundCustomer, s.foundCustomerInd));
        q.exchange(soci::into(s.foundPayload));
      });
  s.lookupSource = source;
  s.lookupEntity = entity;
  for (size_t g = 0; g < group.size(); g += kLookupKeys) {
    const size_t m = std::min(kLookupKeys, group.size() - g);
    s.keyIndex.clear();
    for (size_t j = 0; j < kLookupKeys; ++j) {
      // Short rounds repeat their last key: the statement keeps its one shape.
      const size_t k = group[g + std::min(j, m - 1)];
      s.lookupKeys[j] = records[begin + k].sourceKey;
      if (j < m) s.keyIndex.emplace(records[begin + k].sourceKey, k);
    }
    // One slot more than keys can match, so the fetch always reads the whole result.
    s.foundKey.resize(kLookupKeys + 1);
    s.foundId.resize(kLookupKeys + 1);
    s.foundHash.resize(kLookupKeys + 1);
    s.foundCustomer.resize(kLookupKeys + 1);
    s.foundCustomerInd.resize(kLookupKeys + 1);
    s.foundPayload.resize(kLookupKeys + 1);
    if (!lookup.execute(true)) continue;
    for (size_t r = 0; r < s.foundId.size(); ++r) {
      auto it = s.keyIndex.find(s.foundKey[r]);
      if (it == s.keyIndex.end()) continue;
      Existing& e = s.existing[it->second];
      e.id = s.foundId[r];
      e.kind = s.foundHash[r] == s.hashes[it->second] ? Existing::kSame : Existing::kChanged;
      e.hasCustomer = s.foundCustomerInd[r] == soci::i_ok;
      e.customerId = e.hasCustomer ? s.foundCustomer[r] : 0;
      if (e.kind == Existing::kChanged) e.oldPayload = std::move(s.foundPayload[r]);
    }
  }
}

void SqlRunTransaction::upsertChunk(const std::string& source, const std::vector<Record>& records, size_t begin,
                                    size_t end, const std::string& now, UpsertCounts& counts) {
  RunStatements& s = *st_;
  const size_t n = end - begin;
  const long long run = runId_;

  s.hashes.resize(n);
  s.existing.assign(n, Existing{});
  for (size_t k = 0; k < n; ++k) s.hashes[k] = recordHash(records[begin + k]);

  // Which keys exist already, per entity (a chunk rarely mixes entities).
  std::vector<char> looked(n, 0);
  std::vector<size_t> group;
  for (size_t first = 0; first < n; ++first) {
    if (looked[first]) continue;
    const std::string& entity = records[begin + first].entity;
    group.clear();
    for (size_t k = first; k < n; ++k) {
      if (!looked[k] && records[begin + k].entity == entity) {
        group.push_back(k);
        looked[k] = 1;
      }
    }
    auto& known = sourceKeysFor(s, sql_, source, entity);
    if (known.emptyAtStart) {
      s.maybeKnown.clear();
      for (size_t k : group) {
        if (known.inserted.contains(keyHash(records[begin + k].sourceKey))) s.maybeKnown.push_back(k);
      }
      group.swap(s.maybeKnown);
    }
    if (group.empty()) continue;
    if (backend_ == Backend::kSqlite) {
      lookupSqlite(source, entity, records, begin, group);
    } else {
      lookupPostgres(source, entity, records, begin, group);
    }
  }

  // Classify, and count the records that need a new customer row.
  s.customerOf.assign(n, 0);
  s.needsCustomer.assign(n, 0);
  size_t newCustomers = 0;
  for (size_t k = 0; k < n; ++k) {
    const Existing& e = s.existing[k];
    const bool isCustomer = records[begin + k].entity == kCustomerEntity;
    switch (e.kind) {
      case Existing::kNew: ++counts.inserted; break;
      case Existing::kSame: ++counts.unchanged; continue;
      case Existing::kChanged: ++counts.updated; break;
    }
    if (isCustomer) {
      if (e.kind == Existing::kChanged && e.hasCustomer) {
        s.customerOf[k] = e.customerId;
      } else {
        s.needsCustomer[k] = 1;
        ++newCustomers;
      }
    }
  }

  // New customer ids are assigned here rather than by the database so that one bulk statement can insert
  // the customers and the rows that point at them. SQLite: the run holds the write lock, so MAX(id) is
  // stable; PostgreSQL: the identity sequence hands them out.
  if (newCustomers > 0) {
    s.newIds.clear();
    if (backend_ == Backend::kSqlite) {
      soci::statement& q = s.maxCustomerId.get(sql_, "SELECT COALESCE(MAX(id), 0) FROM customer",
                                               [&](soci::statement& st) { st.exchange(soci::into(s.maxId)); });
      q.execute(true);
      for (size_t i = 0; i < newCustomers; ++i) s.newIds.push_back(s.maxId + 1 + static_cast<long long>(i));
    } else {
      soci::statement& q = s.nextCustomerIds.get(
          sql_, "SELECT nextval(pg_get_serial_sequence('customer', 'id')) FROM generate_series(1, :n)",
          [&](soci::statement& st) {
            s.newIds.resize(1);
            st.exchange(soci::use(s.idCount));
            st.exchange(soci::into(s.newIds));
          });
      s.idCount = static_cast<long long>(newCustomers);
      s.newIds.resize(newCustomers);
      if (!q.execute(true) || s.newIds.size() != newCustomers) {
        throw std::runtime_error("the customer id sequence returned fewer ids than asked for");
      }
    }
    size_t next = 0;
    for (size_t k = 0; k < n; ++k) {
      if (s.needsCustomer[k]) s.customerOf[k] = s.newIds[next++];
    }
  }


  // Fill the bound columns.
  s.resetColumns();
  std::array<const std::optional<std::string>*, kCustomerColumns> values{};
  for (size_t k = 0; k < n; ++k) {
    const Existing& e = s.existing[k];
    if (e.kind == Existing::kSame) continue;
    const Record& r = records[begin + k];
    const bool isCustomer = r.entity == kCustomerEntity;

    if (isCustomer) {
      values.fill(nullptr);
      for (const auto& f : r.fields) {
        int c = customerColumnIndex(f.name);
        if (c >= 0) values[static_cast<size_t>(c)] = &f.value;
      }
      if (s.needsCustomer[k]) {
        s.custId.push(s.customerOf[k]);
        for (size_t c = 0; c < kCustomerColumns; ++c) s.custCols[c].push(values[c]);
        s.custRun.push(run);
        s.custNow.push(now);
      } else {
        s.updId.push(s.customerOf[k]);
        for (size_t c = 0; c < kCustomerColumns; ++c) {
          s.updHas[c].push(values[c] ? 1 : 0);
          s.updCols[c].push(values[c]);
        }
        s.updRun.push(run);
        s.updNow.push(now);
        dropContactPoints(source, s.customerOf[k], e.oldPayload);
      }
      counts.customers.push_back({static_cast<uint32_t>(begin + k), s.customerOf[k],
                                  e.kind == Existing::kChanged ? std::move(s.existing[k].oldPayload) : std::string()});
      // Contact points as the record gives them (earlier stages normalized them).
      forEachContactPoint(source, recordPoints(r), [&](std::string_view kind, std::string value) {
        s.pendingPoints.push_back({kind, std::move(value), s.customerOf[k]});
      });
      s.pendingCustomers.insert(s.customerOf[k]);
    }

    if (const EntityTable* table = entityTable(r.entity)) entityWriter(*table).add(source, r);

    const std::string payload = payloadJson(r);
    const std::string flags = qualityFlagsJson(r);
    if (e.kind == Existing::kNew) {
      s.srSource.push(source);
      s.srEntity.push(r.entity);
      s.srKey.push(r.sourceKey);
      s.srHash.push(s.hashes[k]);
      s.srPayload.push(payload);
      s.srFlags.push(flags);
      s.srOrigin.push(r.origin);
      if (s.customerOf[k] != 0) {
        s.srCustomer.push(s.customerOf[k]);
      } else {
        s.srCustomer.pushNull();
      }
      s.srRun.push(run);
      s.srSourceUpdated.push(r.updatedAt ? &r.updatedAt : nullptr);
      s.srNow.push(now);
    } else {
      s.suId.push(e.id);
      s.suHash.push(s.hashes[k]);
      s.suPayload.push(payload);
      s.suFlags.push(flags);
      s.suOrigin.push(r.origin);
      if (s.needsCustomer[k]) {
        s.suCustomer.push(s.customerOf[k]);
      } else {
        s.suCustomer.pushNull();
      }
      s.suRun.push(run);
      s.suSourceUpdated.push(r.updatedAt ? &r.updatedAt : nullptr);
      s.suNow.push(now);
    }
  }

  // Write: customers before the rows that reference them.
  s.insertCustomer.execute(sql_, backend_);
  s.updateCustomer.execute(sql_, backend_);
  s.insertSourceRecord.execute(sql_, backend_);
  s.updateSourceRecord.execute(sql_, backend_);
  s.deleteContactPoints.execute(sql_, backend_);
  if (s.pendingPoints.size() >= kPendingPointsLimit) flushContactPoints();
  // Interactions and orders are linked through the contact points of customers loaded before them, this
  // chunk's included; order lines to orders of this chunk or earlier.
  bool flushed = false;
  for (auto& w : s.entities) {
    if (!w || w->empty()) continue;
    if (!flushed && !s.pendingPoints.empty()) flushContactPoints();
    flushed = true;
    w->write(now, s.unwritten);
  }
  if (!s.unwritten.empty()) dropUnwritten(counts);

  for (size_t k = 0; k < n; ++k) {
    if (s.existing[k].kind != Existing::kNew) continue;
    const Record& r = records[begin + k];
    auto& known = sourceKeysFor(s, sql_, source, r.entity);
    if (known.emptyAtStart) known.inserted.insert(keyHash(r.sourceKey));
  }
}

EntityWriter& SqlRunTransaction::entityWriter(const EntityTable& table) {
  RunStatements& s = *st_;
  const auto& tables = entityTables();
  const size_t i = static_cast<size_t>(std::find(tables.begin(), tables.end(), &table) - tables.begin());
  if (s.entities.size() < tables.size()) s.entities.resize(tables.size());
  if (!s.entities[i]) s.entities[i] = std::make_unique<EntityWriter>(table, sql_, backend_, runId_);
  return *s.entities[i];
}

// A record whose row cannot be written (an order line without its order) goes to quarantine with the reason,
// and its source_record row is removed, so that it loads as new once it is sent again or replayed.
void SqlRunTransaction::dropUnwritten(UpsertCounts& counts) {
  RunStatements& s = *st_;
  for (const auto& u : s.unwritten) {
    std::string source = u.source, key = u.sourceKey;
    sql_ << "DELETE FROM source_record WHERE source = :s AND entity = 'order_line' AND source_key = :k",
        soci::use(source), soci::use(key);
    Rejected item;
    item.source = u.source;
    item.sourceKey = u.sourceKey;
    item.origin = u.origin;
    item.reason = u.reason;
    item.raw = u.payload;
    writeQuarantine(item);
    ++counts.quarantined;
    if (counts.inserted > 0) --counts.inserted;
  }
  s.unwritten.clear();
}

void SqlRunTransaction::dropContactPoints(const std::string& source, long long customerId,
                                          const std::string& oldPayload) {
  RunStatements& s = *st_;
  // Points this run gave the customer and has not written yet are replaced too (a key twice in one run).
  if (s.pendingCustomers.count(customerId)) {
    std::erase_if(s.pendingPoints, [&](const PendingPoint& p) { return p.customerId == customerId; });
  }
  if (oldPayload.empty()) return;
  const auto old = nlohmann::json::parse(oldPayload, nullptr, false);
  if (!old.is_object()) return;
  forEachContactPoint(source, payloadPoints(old), [&](std::string_view kind, std::string value) {
    s.cdKind.push(kind);
    s.cdValue.push(std::move(value));
    s.cdCustomer.push(customerId);
  });
}

void SqlRunTransaction::flushContactPoints() {
  RunStatements& s = *st_;
  auto& points = s.pendingPoints;
  std::sort(points.begin(), points.end(), [](const PendingPoint& a, const PendingPoint& b) { return a.key() < b.key(); });
  points.erase(std::unique(points.begin(), points.end(),
                           [](const PendingPoint& a, const PendingPoint& b) { return a.key() == b.key(); }),
               points.end());
  if (!points.empty()) s.pointsWritten = true;
  for (size_t begin = 0; begin < points.size(); begin += kPointsPerRound) {
    s.resetColumns();
    const size_t end = std::min(points.size(), begin + kPointsPerRound);
    for (size_t i = begin; i < end; ++i) {
      s.cpKind.push(points[i].kind);
      s.cpValue.push(points[i].value);
      s.cpCustomer.push(points[i].customerId);
    }
    s.insertContactPoints.execute(sql_, backend_);
  }
  points.clear();
  points.shrink_to_fit();
  s.pendingCustomers.clear();
}

Status SqlRunTransaction::quarantine(const Rejected& item) {
  RETURN_IF_ERROR(checkOpen("quarantine an item"));
  Status st = guardSql("quarantining an item of source '" + item.source + "' in run " + std::to_string(runId_),
                       [&] { writeQuarantine(item); });
  if (!st.isOk()) return fail(st);
  return Status::ok();
}

void SqlRunTransaction::writeQuarantine(const Rejected& item) {
  RunStatements& s = *st_;
  {
    soci::statement& q = s.insertQuarantine.get(
        sql_,
        "INSERT INTO quarantine (run_id, source, source_key, origin, payload, reasons, created_at, status) "
        "VALUES (:r, :s, :k, :o, :p, :why, :t, 'held')",
        [&](soci::statement& stmt) {
          stmt.exchange(soci::use(s.qRun));
          stmt.exchange(soci::use(s.qSource));
          stmt.exchange(soci::use(s.qKey, s.qKeyInd));
          stmt.exchange(soci::use(s.qOrigin));
          stmt.exchange(soci::use(s.qPayload, s.qPayloadInd));
          stmt.exchange(soci::use(s.qReasons));
          stmt.exchange(soci::use(s.qNow));
        });
    s.qRun = runId_;
    s.qSource = item.source;
    s.qKey = item.sourceKey.value_or("");
    s.qKeyInd = item.sourceKey ? soci::i_ok : soci::i_null;
    s.qOrigin = item.origin;
    s.qPayload = item.raw.value_or("");
    s.qPayloadInd = item.raw ? soci::i_ok : soci::i_null;
    s.qReasons = item.reason;
    s.qNow = nowIso8601();
    q.execute(true);
  }
}

Status SqlRunTransaction::setCursor(const std::string& pipeline, const std::string& source, const std::string& cursor) {
  RETURN_IF_ERROR(checkOpen("set a cursor"));
  RunStatements& s = *st_;
  Status st = guardSql("staging the cursor of source '" + source + "' in run " + std::to_string(runId_), [&] {
    soci::statement& q = s.upsertCursor.get(
        sql_,
        "INSERT INTO source_state (pipeline, source, cursor, updated_run, updated_at) VALUES (:p, :s, :c, :r, :t) "
        "ON CONFLICT (pipeline, source) DO UPDATE SET cursor = excluded.cursor, updated_run = excluded.updated_run, "
        "updated_at = excluded.updated_at",
        [&](soci::statement& stmt) {
          stmt.exchange(soci::use(s.cPipeline));
          stmt.exchange(soci::use(s.cSource));
          stmt.exchange(soci::use(s.cCursor));
          stmt.exchange(soci::use(s.cRun));
          stmt.exchange(soci::use(s.cNow));
        });
    s.cPipeline = pipeline;
    s.cSource = source;
    s.cCursor = cursor;
    s.cRun = runId_;
    s.cNow = nowIso8601();
    q.execute(true);
  });
  if (!st.isOk()) return fail(st);
  return Status::ok();
}

Status SqlRunTransaction::flush() {
  RETURN_IF_ERROR(checkOpen("write held-back contact points"));
  Status st = guardSql("writing contact points of run " + std::to_string(runId_), [&] { flushContactPoints(); });
  if (!st.isOk()) return fail(st);
  return Status::ok();
}

Status SqlRunTransaction::commit(int64_t recordsRead, int64_t recordsLoaded, int64_t recordsQuarantined,
                                 const std::string& statsJson) {
  RETURN_IF_ERROR(checkOpen("commit"));
  Status st = guardSql("committing run " + std::to_string(runId_), [&] {
    long long id = runId_, read = recordsRead, loaded = recordsLoaded, quarantined = recordsQuarantined;
    std::string now = nowIso8601();
    std::string stats = statsJson.empty() ? "{}" : statsJson;
    flushContactPoints();
    if (st_->pointsWritten) {
      for (const EntityTable* table : entityTables()) linkUnlinked(*table, sql_, id, now);
    }
    sql_ << "UPDATE run SET status = 'succeeded', finished_at = :f, records_read = :rr, records_loaded = :rl, "
            "records_quarantined = :rq, stats = :s WHERE id = :id",
        soci::use(now), soci::use(read), soci::use(loaded), soci::use(quarantined), soci::use(stats), soci::use(id);
    // Without fresh statistics the next run's prepared lookups are planned for the tables as they were before
    // this load (empty, say: a sequential scan) and keep that plan; autovacuum may come too late.
    if (backend_ == Backend::kPostgresql && inserted_ > kAnalyzeAfterInserts) {
      sql_ << "ANALYZE source_record, customer, contact_point, match_key";
    }
    st_.reset();
    sql_.commit();
  });
  if (!st.isOk()) {
    st = fail(st);
    rollback();
    return st;
  }
  endTransaction();
  return Status::ok();
}

void SqlRunTransaction::rollback() {
  if (state_ == State::kEnded) return;
  // Nothing useful can be done if ROLLBACK itself fails: the connection is gone, and the server (or SQLite's
  // journal recovery) discards the transaction anyway.
  (void)guardSql("rolling back", [&] { sql_.rollback(); });
  try {
    st_.reset();
  } catch (...) {
  }
  endTransaction();
}

}  // namespace crmsync::store
