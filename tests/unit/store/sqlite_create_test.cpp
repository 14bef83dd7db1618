#include "store/sqlite_create.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/schema.hpp"
#include "test_support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using crmsync::store::createSqliteIfMissing;
using crmsync::store::DatabaseTarget;

DatabaseTarget sqliteTarget(const std::string& path) {
  DatabaseTarget t;
  t.path = path;
  t.connectString = path;
  t.display = path;
  return t;
}

void configure(soci::session& sql) {
  sql << "PRAGMA page_size = 16384";
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
}

std::vector<std::string> filesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SqliteCreate, BuildsTheWholeSchemaAndLeavesOnlyTheDatabaseFile) {
  crmsync::test::TempDir dir;
  const std::string path = dir.file("new.db");
  createSqliteIfMissing(sqliteTarget(path), configure);

  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"new.db"});
  soci::session sql(soci::sqlite3, path);
  long long version = 0, pageSize = 0;
  std::string mode;
  sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version);
  sql << "PRAGMA page_size", soci::into(pageSize);
  sql << "PRAGMA journal_mode", soci::into(mode);
  EXPECT_EQ(version, crmsync::store::latestSchemaVersion());
  EXPECT_EQ(pageSize, 16384);
  EXPECT_EQ(mode, "wal");
}

TEST(SqliteCreate, LeavesAnExistingFileAlone) {
  crmsync::test::TempDir dir;
  const std::string path = dir.write("there.db", "not a database");
  createSqliteIfMissing(sqliteTarget(path), configure);

  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "not a database");
  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"there.db"});
}

TEST(SqliteCreate, CleansUpAndLeavesTheOpenToReportADirectoryThatDoesNotExist) {
  crmsync::test::TempDir dir;
  const std::string path = dir.file("missing/sub.db");
  createSqliteIfMissing(sqliteTarget(path), configure);

  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(filesIn(dir.path()).empty());
}

TEST(SqliteCreate, CreatesNothingForAnInMemoryDatabase) {
  crmsync::test::TempDir dir;
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  createSqliteIfMissing(sqliteTarget(":memory:"), configure);
  fs::current_path(before);

  EXPECT_TRUE(filesIn(dir.path()).empty());
}

}  // namespace
