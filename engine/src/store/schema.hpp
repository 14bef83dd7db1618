// The database schema as versioned migrations, and the few places where SQLite and PostgreSQL need different
// text. Everything else is the same SQL on both (see docs/schema.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "store/database_url.hpp"

namespace soci {
class session;
}

namespace crmsync::store {

/// One schema version: the statements that take the previous version to this one, applied in one transaction.
/// Statements may use {{ID}} for an auto-assigned 64-bit primary key column type.
struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
};

/// All migrations in order; version i+1 is at index i. Append only: a released migration never changes.
const std::vector<Migration>& migrations();

/// The schema version this build knows (the last migration's).
int latestSchemaVersion();

/// The tables of the schema, for whitelisting names that end up in SQL text.
const std::vector<std::string_view>& schemaTables();

/// Substitutes the per-backend type names into a statement.
std::string expandSql(std::string_view sql, Backend backend);

/// Applies every pending migration, each in its own transaction, serialized against other processes
/// migrating the same database. Returns the resulting version; refuses a database whose version is newer
/// than this build's.
Result<int> migrate(soci::session& sql, Backend backend);

}  // namespace crmsync::store
