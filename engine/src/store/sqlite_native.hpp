// The SQLite connection under a SOCI session, for the load path only: SOCI's sqlite3 backend copies every bound
// value to the heap on every execution, which costs more than SQLite's own work when a run writes millions of
// rows. Statements here are still prepared once and take bound parameters only; they run on the same
// connection, hence inside the same transaction, as everything else.
#pragma once

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace crmsync::store {

using sqlite_api::sqlite3;
using sqlite_api::sqlite3_stmt;

/// The native handle of a session opened with the sqlite3 backend.
sqlite3* sqliteHandle(soci::session& sql);

/// A prepared statement owned for the life of a run.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  bool ready() const { return stmt_ != nullptr; }
  /// Parameters are numbered from 1. Text is not copied: it must stay alive until step() returns.
  void bindText(int i, std::string_view v);
  void bindNull(int i);
  void bindInt(int i, long long v);
  /// Runs a statement that returns no rows, then resets it for the next execution. Throws soci::soci_error.
  void run();
  /// Steps a query: true with a row, false when done (and reset). Throws soci::soci_error.
  bool next();
  void reset();
  long long columnInt(int i) const;
  std::string_view columnText(int i) const;
  bool columnIsNull(int i) const;

 private:
  [[noreturn]] void fail(const char* doing) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

}  // namespace crmsync::store
