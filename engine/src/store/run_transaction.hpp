// The transaction of one run over a SOCI session. Its statements are prepared once, on first use, and reused
// for every batch; rows are written with bulk (vector) binding.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "crmsync/store/store.hpp"
#include "store/database_url.hpp"

namespace crmsync::store {

class SqlStore;
struct RunStatements;
struct EntityTable;
class EntityWriter;

class SqlRunTransaction final : public RunTransaction {
 public:
  /// Takes over the transaction the store began and in which it inserted run row runId. The store must
  /// outlive this object.
  SqlRunTransaction(SqlStore& store, soci::session& sql, Backend backend, int64_t runId);
  ~SqlRunTransaction() override;

  int64_t runId() const override { return runId_; }
  Result<UpsertCounts> upsert(const std::string& source, const std::vector<Record>& records) override;
  Status quarantine(const Rejected& item) override;
  Status setCursor(const std::string& pipeline, const std::string& source, const std::string& cursor) override;
  Status commit(int64_t recordsRead, int64_t recordsLoaded, int64_t recordsQuarantined,
                const std::string& statsJson) override;
  void rollback() override;
  soci::session& session() override { return sql_; }
  std::string backend() const override { return backend_ == Backend::kSqlite ? "sqlite" : "postgresql"; }
  Status flush() override;

 private:
  enum class State { kOpen, kFailed, kEnded };

  Status checkOpen(const char* doing) const;
  /// Remembers the first failure: after it the transaction can only be rolled back.
  Status fail(Status st);
  /// Ends the transaction; the prepared statements are released after ROLLBACK (PostgreSQL refuses to
  /// DEALLOCATE inside an aborted transaction) and before COMMIT.
  void endTransaction();
  /// The end (exclusive) of the chunk starting at begin: at most kChunkRecords records with distinct keys.
  size_t chunkEnd(const std::vector<Record>& records, size_t begin);
  void lookupSqlite(const std::string& source, const std::string& entity, const std::vector<Record>& records,
                    size_t begin, const std::vector<size_t>& group);
  void lookupPostgres(const std::string& source, const std::string& entity, const std::vector<Record>& records,
                      size_t begin, const std::vector<size_t>& group);
  /// Deletes the contact points a changed customer record had (from its stored payload), and any this run
  /// gave it but has not written yet.
  void dropContactPoints(const std::string& source, long long customerId, const std::string& oldPayload);
  /// The writer of an entity table, made on first use.
  EntityWriter& entityWriter(const EntityTable& table);
  /// Quarantines the records whose rows could not be written and removes their source_record rows.
  void dropUnwritten(UpsertCounts& counts);
  /// Inserts one quarantine row (inside a guardSql).
  void writeQuarantine(const Rejected& item);
  /// Writes the contact points held back so far, in key order.
  void flushContactPoints();
  void upsertChunk(const std::string& source, const std::vector<Record>& records, size_t begin, size_t end,
                   const std::string& now, UpsertCounts& counts);

  SqlStore& store_;
  soci::session& sql_;
  Backend backend_;
  int64_t runId_;
  State state_ = State::kOpen;
  std::string failure_;
  int64_t inserted_ = 0;
  std::unique_ptr<RunStatements> st_;
  std::unordered_set<std::string> chunkKeys_;
};

}  // namespace crmsync::store
