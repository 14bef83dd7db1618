// The Store over a SOCI session; SQLite and PostgreSQL differ only in what DatabaseTarget and the dialect
// helpers say.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>

#include "crmsync/store/store.hpp"
#include "store/database_url.hpp"

namespace crmsync::store {

class SqlStore final : public Store {
 public:
  /// Connects, applies the per-connection settings and migrates.
  static Result<std::unique_ptr<Store>> connect(DatabaseTarget target);

  SqlStore(DatabaseTarget target, std::unique_ptr<soci::session> sql, int version);
  ~SqlStore() override;

  int schemaVersion() override { return version_; }
  std::string backend() const override;
  Result<std::optional<std::string>> cursor(const std::string& pipeline, const std::string& source) override;
  Result<std::unique_ptr<RunTransaction>> beginRun(const std::string& pipeline) override;
  Result<int64_t> recordFailedRun(const std::string& pipeline, const std::string& startedAt, const std::string& error,
                                  const std::string& statsJson) override;
  Result<std::vector<RunInfo>> recentRuns(int limit) override;
  Result<std::vector<QuarantineItem>> quarantine(std::optional<int64_t> runId, int limit) override;
  Result<int64_t> countRows(const std::string& table) override;
  Result<int64_t> customerCount() override;
  soci::session& session() override { return *sql_; }

  Backend backendKind() const { return target_.backend; }
  /// Called by the run transaction when it has committed or rolled back.
  void runEnded() { runOpen_ = false; }
  /// The status with the connection password scrubbed from its message.
  Status scrub(Status st) const;

 private:
  /// Begins a transaction that writes: SQLite takes the write lock at once so a concurrent writer waits at the
  /// start (busy_timeout) rather than failing halfway.
  void beginWrite();

  DatabaseTarget target_;
  std::unique_ptr<soci::session> sql_;
  int version_;
  bool runOpen_ = false;
};

}  // namespace crmsync::store
