// A fresh database for one test on either backend: an SQLite file in a temporary directory, or a schema of its
// own on the PostgreSQL server the CTest fixture started (so tests can run in parallel against one server).
#pragma once

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cstdlib>
#include <random>
#include <string>

#include "store/database_url.hpp"
#include "test_support/temp_dir.hpp"

namespace crmsync::test {

class TestStore {
 public:
  /// backend is "sqlite" or "postgresql". Check ready() after construction: false means the test was
  /// skipped or failed with a message already.
  explicit TestStore(const std::string& backend) {
    if (backend == "sqlite") {
      url_ = dir_.file("crm.db");
      ready_ = true;
      return;
    }
    const char* base = std::getenv("CRMSYNC_TEST_PG_URL");
    if (base == nullptr || *base == '\0') {
      const char* skip = std::getenv("CRMSYNC_SKIP_POSTGRES");
      if (skip != nullptr && std::string(skip) == "1") {
        skipped_ = true;
        return;
      }
      ADD_FAILURE() << "CRMSYNC_TEST_PG_URL is not set: run through ctest (which starts PostgreSQL with the postgres "
                       "fixture), set it to a test database URL, or set CRMSYNC_SKIP_POSTGRES=1 to skip on purpose";
      return;
    }
    std::random_device rd;
    schema_ = "crmsync_t_" + std::to_string(rd()) + std::to_string(rd() % 100000);
    auto target = store::parseDatabaseUrl(base);
    if (!target.isOk()) {
      ADD_FAILURE() << target.status().toString();
      return;
    }
    conninfo_ = target->connectString;
    soci::session admin(soci::postgresql, conninfo_);
    admin << "CREATE SCHEMA " + schema_;
    std::string b(base);
    url_ = b + (b.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
    ready_ = true;
  }
  ~TestStore() {
    if (schema_.empty() || !ready_) return;
    try {
      soci::session admin(soci::postgresql, conninfo_);
      admin << "SET client_min_messages = warning";
      admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    } catch (...) {
    }
  }
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  bool ready() const { return ready_; }
  bool skipped() const { return skipped_; }
  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string url_;
  std::string schema_;
  std::string conninfo_;
  bool ready_ = false;
  bool skipped_ = false;
};

}  // namespace crmsync::test
