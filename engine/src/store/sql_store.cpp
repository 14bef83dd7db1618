#include "store/sql_store.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>

#include "store/run_transaction.hpp"
#include "store/schema.hpp"
#include "store/sql_error.hpp"
#include "store/sqlite_create.hpp"

namespace crmsync::store {
namespace {

// One writer at a time: a second run waits this long for the first to commit before giving up.
constexpr int kBusyTimeoutMs = 10000;

void configureSqlite(soci::session& sql) {
  sql << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs);
  // Only a new, empty file takes this (before WAL is switched on); rows with a JSON payload are wide, and 16 KiB
  // pages make a first load about a fifth faster than the 4 KiB default.
  sql << "PRAGMA page_size = 16384";
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
  sql << "PRAGMA synchronous = NORMAL";
  sql << "PRAGMA foreign_keys = ON";
  // A bigger page cache keeps the unique and contact-point indexes in memory during large loads.
  sql << "PRAGMA cache_size = -65536";
  sql << "PRAGMA temp_store = MEMORY";
}

void configurePostgres(soci::session& sql) {
  // CREATE ... IF NOT EXISTS and friends chatter at NOTICE level; nobody reads it.
  sql << "SET client_min_messages = warning";
}

}  // namespace

Result<std::unique_ptr<Store>> SqlStore::connect(DatabaseTarget target) {
  auto sql = std::make_unique<soci::session>();
  const bool sqlite = target.backend == Backend::kSqlite;
  Status st = guardSql("opening " + std::string(sqlite ? "SQLite" : "PostgreSQL") + " database '" + target.display + "'",
                       [&] {
                         if (sqlite) {
                           createSqliteIfMissing(target, configureSqlite);
                           sql->open(soci::sqlite3, target.connectString);
                           configureSqlite(*sql);
                         } else {
                           // By name: SOCI loads its PostgreSQL backend, and with it libpq and the TLS
                           // and Kerberos libraries behind it, only for a PostgreSQL store. Linked in, they
                           // added about 5 ms to the start of every command.
                           sql->open("postgresql", target.connectString);
                           configurePostgres(*sql);
                         }
                       });
  if (!st.isOk()) return storeError(redact(st.message(), target.password));
  auto version = migrate(*sql, target.backend);
  if (!version.isOk()) {
    return Status(version.status().code(), redact(version.status().message(), target.password))
        .withContext("database '" + target.display + "'");
  }
  int v = *version;
  return std::unique_ptr<Store>(new SqlStore(std::move(target), std::move(sql), v));
}

SqlStore::SqlStore(DatabaseTarget target, std::unique_ptr<soci::session> sql, int version)
    : target_(std::move(target)), sql_(std::move(sql)), version_(version) {}

SqlStore::~SqlStore() = default;

std::string SqlStore::backend() const { return target_.backend == Backend::kSqlite ? "sqlite" : "postgresql"; }

Status SqlStore::scrub(Status st) const {
  if (st.isOk() || target_.password.empty()) return st;
  return Status(st.code(), redact(st.message(), target_.password));
}

void SqlStore::beginWrite() {
  if (target_.backend == Backend::kSqlite) {
    *sql_ << "BEGIN IMMEDIATE";
  } else {
    sql_->begin();
  }
}

Result<std::optional<std::string>> SqlStore::cursor(const std::string& pipeline, const std::string& source) {
  std::optional<std::string> out;
  Status st = guardSql("reading the cursor of source '" + source + "' of pipeline '" + pipeline + "'", [&] {
    std::string value;
    soci::indicator ind = soci::i_null;
    *sql_ << "SELECT cursor FROM source_state WHERE pipeline = :p AND source = :s", soci::into(value, ind),
        soci::use(pipeline), soci::use(source);
    if (sql_->got_data() && ind == soci::i_ok) out = value;
  });
  if (!st.isOk()) return scrub(st);
  return out;
}

Result<std::unique_ptr<RunTransaction>> SqlStore::beginRun(const std::string& pipeline) {
  if (runOpen_) {
    return storeError("cannot start a run of pipeline '" + pipeline +
                      "': another run is still open on this connection; commit or roll it back first");
  }
  long long runId = 0;
  bool begun = false;
  Status st = guardSql("starting a run of pipeline '" + pipeline + "'", [&] {
    beginWrite();
    begun = true;
    std::string now = nowIso8601();
    *sql_ << "INSERT INTO run (pipeline, status, started_at, stats) VALUES (:p, 'running', :t, '{}') RETURNING id",
        soci::use(pipeline), soci::use(now), soci::into(runId);
  });
  if (!st.isOk()) {
    if (begun) (void)guardSql("rolling back", [&] { sql_->rollback(); });
    return scrub(st);
  }
  runOpen_ = true;
  return std::unique_ptr<RunTransaction>(new SqlRunTransaction(*this, *sql_, target_.backend, runId));
}

Result<int64_t> SqlStore::recordFailedRun(const std::string& pipeline, const std::string& startedAt,
                                          const std::string& error, const std::string& statsJson) {
  if (runOpen_) {
    return storeError("cannot record the failed run of pipeline '" + pipeline +
                      "' while its run transaction is still open; roll it back first");
  }
  long long id = 0;
  bool begun = false;
  Status st = guardSql("recording a failed run of pipeline '" + pipeline + "'", [&] {
    beginWrite();
    begun = true;
    std::string now = nowIso8601();
    std::string stats = statsJson.empty() ? "{}" : statsJson;
    *sql_ << "INSERT INTO run (pipeline, status, started_at, finished_at, error, stats) "
             "VALUES (:p, 'failed', :s, :f, :e, :j) RETURNING id",
        soci::use(pipeline), soci::use(startedAt), soci::use(now), soci::use(error), soci::use(stats), soci::into(id);
    sql_->commit();
    begun = false;
  });
  if (!st.isOk()) {
    if (begun) (void)guardSql("rolling back", [&] { sql_->rollback(); });
    return scrub(st);
  }
  return static_cast<int64_t>(id);
}

Result<std::vector<RunInfo>> SqlStore::recentRuns(int limit) {
  std::vector<RunInfo> runs;
  Status st = guardSql("listing recent runs", [&] {
    long long id = 0, read = 0, loaded = 0, quarantined = 0;
    std::string pipeline, status, startedAt, finishedAt, error, stats;
    soci::indicator finishedInd = soci::i_null, errorInd = soci::i_null;
    int n = limit > 0 ? limit : 1000000000;
    soci::statement q =
        (sql_->prepare << "SELECT id, pipeline, status, started_at, finished_at, records_read, records_loaded, "
                          "records_quarantined, error, stats FROM run ORDER BY id DESC LIMIT :n",
         soci::use(n), soci::into(id), soci::into(pipeline), soci::into(status), soci::into(startedAt),
         soci::into(finishedAt, finishedInd), soci::into(read), soci::into(loaded), soci::into(quarantined),
         soci::into(error, errorInd), soci::into(stats));
    q.execute();
    while (q.fetch()) {
      RunInfo r;
      r.id = id;
      r.pipeline = pipeline;
      r.status = status;
      r.startedAt = startedAt;
      if (finishedInd == soci::i_ok) r.finishedAt = finishedAt;
      r.recordsRead = read;
      r.recordsLoaded = loaded;
      r.recordsQuarantined = quarantined;
      if (errorInd == soci::i_ok) r.error = error;
      r.statsJson = stats;
      runs.push_back(std::move(r));
    }
  });
  if (!st.isOk()) return scrub(st);
  return runs;
}

Result<std::vector<QuarantineItem>> SqlStore::quarantine(std::optional<int64_t> runId, int limit) {
  std::vector<QuarantineItem> items;
  Status st = guardSql("listing quarantined items", [&] {
    long long id = 0, run = 0;
    std::string source, sourceKey, origin, reasons, payload;
    soci::indicator keyInd = soci::i_null, payloadInd = soci::i_null;
    int n = limit > 0 ? limit : 1000000000;
    long long wanted = runId.value_or(0);
    const std::string columns = "SELECT id, run_id, source, source_key, origin, reasons, payload FROM quarantine ";
    soci::statement q(*sql_);
    if (runId) q.exchange(soci::use(wanted));
    q.exchange(soci::use(n));
    q.exchange(soci::into(id));
    q.exchange(soci::into(run));
    q.exchange(soci::into(source));
    q.exchange(soci::into(sourceKey, keyInd));
    q.exchange(soci::into(origin));
    q.exchange(soci::into(reasons));
    q.exchange(soci::into(payload, payloadInd));
    q.alloc();
    q.prepare(columns + (runId ? "WHERE run_id = :r " : "") + "ORDER BY id LIMIT :n");
    q.define_and_bind();
    q.execute();
    while (q.fetch()) {
      QuarantineItem item;
      item.id = id;
      item.runId = run;
      item.source = source;
      if (keyInd == soci::i_ok) item.sourceKey = sourceKey;
      item.origin = origin;
      item.reasons = reasons;
      if (payloadInd == soci::i_ok) item.payload = payload;
      items.push_back(std::move(item));
    }
  });
  if (!st.isOk()) return scrub(st);
  return items;
}

Result<int64_t> SqlStore::countRows(const std::string& table) {
  const auto& tables = schemaTables();
  if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
    return invalidInput("countRows: '" + table + "' is not a table of the crmsync schema");
  }
  long long n = 0;
  // The name is one of the schema's fixed table names (checked above), never user text.
  Status st = guardSql("counting rows of " + table, [&] { *sql_ << "SELECT COUNT(*) FROM " + table, soci::into(n); });
  if (!st.isOk()) return scrub(st);
  return static_cast<int64_t>(n);
}

Result<int64_t> SqlStore::customerCount() {
  long long n = 0;
  Status st = guardSql("counting customers",
                       [&] {
                         // All rows less the merged ones: the merged ones are counted from their partial index,
                         // where a filter on merged_into IS NULL would read every row of the table.
                         *sql_ << "SELECT (SELECT COUNT(*) FROM customer) - "
                                  "(SELECT COUNT(*) FROM customer WHERE merged_into IS NOT NULL)",
                             soci::into(n);
                       });
  if (!st.isOk()) return scrub(st);
  return static_cast<int64_t>(n);
}

}  // namespace crmsync::store
