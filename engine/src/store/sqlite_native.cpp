#include "store/sqlite_native.hpp"

namespace crmsync::store {

using namespace sqlite_api;

sqlite3* sqliteHandle(soci::session& sql) {
  // soci does not export the backend's type info, so the name is the check.
  if (sql.get_backend() == nullptr || sql.get_backend_name() != "sqlite3") {
    throw soci::soci_error("internal: the session is not an SQLite session");
  }
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
      SQLITE_OK) {
    fail("preparing");
  }
}

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

void SqliteStatement::fail(const char* doing) const {
  std::string message = sqlite3_errmsg(db_);
  if (stmt_) sqlite3_reset(stmt_);
  std::string head = sql_.size() > 120 ? sql_.substr(0, 120) + "..." : sql_;
  throw soci::soci_error(message + " (" + doing + " \"" + head + "\")");
}

void SqliteStatement::bindText(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK) fail("binding");
}

void SqliteStatement::bindNull(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail("binding");
}

void SqliteStatement::bindInt(int i, long long v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail("binding");
}

void SqliteStatement::run() {
  int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail("executing");
  sqlite3_reset(stmt_);
}

bool SqliteStatement::next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) fail("querying");
  sqlite3_reset(stmt_);
  return false;
}

void SqliteStatement::reset() { sqlite3_reset(stmt_); }

long long SqliteStatement::columnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

std::string_view SqliteStatement::columnText(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view();
}

bool SqliteStatement::columnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

}  // namespace crmsync::store
