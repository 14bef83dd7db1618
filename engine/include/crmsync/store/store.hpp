// The unified customer database, through SOCI: an SQLite file by default, PostgreSQL by postgresql:// URL.
// The same schema and the same SQL (bound parameters only) on both.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/core/record.hpp"
#include "crmsync/core/status.hpp"

namespace soci {
class session;
}

namespace crmsync::store {

/// What an upsert did with a batch.
struct UpsertCounts {
  int64_t inserted = 0;   // new (source, entity, source_key)
  int64_t updated = 0;    // known key, different content
  int64_t unchanged = 0;  // known key, same content hash: nothing written
  int64_t quarantined = 0;  // held back by the load itself (an order line whose order is not loaded)
  /// Customer records of the batch that were inserted or changed. The dedupe stage matches exactly these.
  struct Customer {
    uint32_t index = 0;       // position in the batch
    int64_t customerId = 0;   // the customer row the record has as its own
    std::string oldPayload;   // a changed record's payload before this run (JSON); empty for a new one
  };
  std::vector<Customer> customers = {};
};

/// One row of the run table, as `crmsync status` shows it.
struct RunInfo {
  int64_t id = 0;
  std::string pipeline;
  std::string status;  // running | succeeded | failed
  std::string startedAt;
  std::optional<std::string> finishedAt;
  int64_t recordsRead = 0;
  int64_t recordsLoaded = 0;
  int64_t recordsQuarantined = 0;
  std::optional<std::string> error;
  std::string statsJson;  // per-source and per-stage figures
};

/// One quarantined item.
struct QuarantineItem {
  int64_t id = 0;
  int64_t runId = 0;
  std::string source;
  std::optional<std::string> sourceKey;
  std::string origin;
  std::string reasons;
  std::optional<std::string> payload;
};

class RunTransaction;

/// A connection to the customer database. Not thread-safe: one Store per thread.
class Store {
 public:
  /// Opens (creating if needed) and migrates to the latest schema. url is one of:
  ///   path/to/file.db | sqlite:path/to/file.db | sqlite:///abs/path.db | postgresql://user:pw@host:port/db
  static Result<std::unique_ptr<Store>> open(const std::string& url);
  virtual ~Store();

  /// Schema version after migrations; migrations are numbered from 1 and recorded in schema_migrations.
  virtual int schemaVersion() = 0;
  /// "sqlite" or "postgresql".
  virtual std::string backend() const = 0;

  /// The cursor a source of a pipeline committed in its last successful run.
  virtual Result<std::optional<std::string>> cursor(const std::string& pipeline, const std::string& source) = 0;

  /// Starts a run: opens the transaction that will hold its records, quarantine rows and cursors, and creates
  /// its run row (status running) inside it. Nothing is visible to others until commit().
  virtual Result<std::unique_ptr<RunTransaction>> beginRun(const std::string& pipeline) = 0;

  /// Records a run that failed or was cancelled, in its own small transaction (the run's own was rolled back).
  virtual Result<int64_t> recordFailedRun(const std::string& pipeline, const std::string& startedAt,
                                          const std::string& error, const std::string& statsJson) = 0;

  virtual Result<std::vector<RunInfo>> recentRuns(int limit) = 0;
  virtual Result<std::vector<QuarantineItem>> quarantine(std::optional<int64_t> runId, int limit) = 0;
  /// Row count of a table of the schema (a fixed name, never user text).
  virtual Result<int64_t> countRows(const std::string& table) = 0;
  /// Golden customers that are not merged away.
  virtual Result<int64_t> customerCount() = 0;

  /// The underlying session, for modules that add their own queries (matching, audit).
  virtual soci::session& session() = 0;
};

/// The one transaction of a run. Destroying it without commit() rolls everything back. The Store that began it
/// must outlive it, and the Store runs one at a time. After any failed call the run can only be rolled back:
/// later calls return the first error.
class RunTransaction {
 public:
  virtual ~RunTransaction();
  virtual int64_t runId() const = 0;

  /// Upserts records of one source keyed by (source, entity, source_key). A record whose content hash did not
  /// change is left alone. Customer records create or update their golden customer row and contact points
  /// (normalized email, phone, mobile); other entities are kept in source_record until their tables are used.
  /// A key repeated within records counts once per occurrence; the last occurrence wins. See docs/schema.md.
  virtual Result<UpsertCounts> upsert(const std::string& source, const std::vector<Record>& records) = 0;

  virtual Status quarantine(const Rejected& item) = 0;

  /// Stages a source's new cursor; it is written with the run.
  virtual Status setCursor(const std::string& pipeline, const std::string& source, const std::string& cursor) = 0;

  /// Marks the run succeeded with its figures and commits records, quarantine, cursors and run row at once.
  virtual Status commit(int64_t recordsRead, int64_t recordsLoaded, int64_t recordsQuarantined,
                        const std::string& statsJson) = 0;
  virtual void rollback() = 0;

  /// The session the run's transaction is open on, for stages that write their own tables in the run
  /// (matching). Statements on it are part of the run: committed or rolled back with it.
  virtual soci::session& session() = 0;
  /// "sqlite" or "postgresql".
  virtual std::string backend() const = 0;
  /// Writes contact points the run holds back, so queries on the session see them.
  virtual Status flush() = 0;
};

/// Current time as ISO 8601 UTC with milliseconds ("2026-11-22T10:00:00.123Z"), the form every timestamp in
/// the database takes.
std::string nowIso8601();

}  // namespace crmsync::store
