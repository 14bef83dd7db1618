// Turns the database URL a user writes into what SOCI's backends take: a file path for SQLite, a libpq conninfo
// string for PostgreSQL. Kept apart from the store so the parsing (quoting, percent-decoding, password
// redaction) is tested without a database.
#pragma once

#include <string>

#include "crmsync/core/status.hpp"

namespace crmsync::store {

enum class Backend { kSqlite, kPostgresql };

/// Where a Store connects.
struct DatabaseTarget {
  Backend backend = Backend::kSqlite;
  /// SQLite: the connect string for soci's sqlite3 backend (the file path, quoted when needed).
  /// PostgreSQL: a libpq conninfo ("host='h' port='5432' ..."); holds the password, never print it.
  std::string connectString;
  /// SQLite: the file path as given.
  std::string path;
  /// The URL with its password replaced by "***": safe for messages and logs.
  std::string display;
  /// The password, if any: error messages from the driver are scrubbed of it.
  std::string password;
};

/// Parses path | sqlite:path | sqlite:///abs/path | postgresql://user:pw@host:port/db?param=value.
/// postgres:// is accepted as a synonym. Query parameters become libpq keywords (sslmode, connect_timeout,
/// options, ...).
Result<DatabaseTarget> parseDatabaseUrl(const std::string& url);

/// Replaces every occurrence of secret in text by "***" (nothing when secret is empty).
std::string redact(std::string text, const std::string& secret);

}  // namespace crmsync::store
