// Every test runs twice: on a fresh SQLite file and on a fresh schema of the PostgreSQL test server
// (CRMSYNC_TEST_PG_URL, set by the postgres CTest fixture).
#include "crmsync/store/store.hpp"

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "store/database_url.hpp"
#include "store/schema.hpp"

namespace {

namespace fs = std::filesystem;
using crmsync::Field;
using crmsync::Record;
using crmsync::Rejected;
using crmsync::StatusCode;
using crmsync::store::RunTransaction;
using crmsync::store::UpsertCounts;
using StorePtr = std::unique_ptr<crmsync::store::Store>;

enum class TestBackend { kSqlite, kPostgresql };

std::string backendName(const ::testing::TestParamInfo<TestBackend>& info) {
  return info.param == TestBackend::kSqlite ? "sqlite" : "postgresql";
}

// gtest (and so the CTest test names) print the parameter with this.
void PrintTo(TestBackend b, std::ostream* os) { *os << (b == TestBackend::kSqlite ? "sqlite" : "postgresql"); }

std::string randomSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d_%d_%08x", static_cast<int>(getpid()), counter++, rd());
  return buf;
}

Record customer(const std::string& key, std::vector<Field> fields) {
  Record r;
  r.entity = "customer";
  r.sourceKey = key;
  r.origin = "contacts.csv:" + key;
  r.fields = std::move(fields);
  return r;
}

Record person(const std::string& key, const std::string& name, std::optional<std::string> email,
              std::optional<std::string> phone = std::nullopt, std::optional<std::string> mobile = std::nullopt) {
  return customer(key, {{"name", name}, {"email", email}, {"phone", phone}, {"mobile", mobile}, {"city", "Oslo"}});
}

class Store : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kSqlite) {
      dir_ = fs::temp_directory_path() / ("crmsync_store_test_" + randomSuffix());
      fs::create_directories(dir_);
      url_ = (dir_ / "crm.db").string();
      return;
    }
    const char* base = std::getenv("CRMSYNC_TEST_PG_URL");
    if (base == nullptr || *base == '\0') {
      const char* skip = std::getenv("CRMSYNC_SKIP_POSTGRES");
      if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "CRMSYNC_SKIP_POSTGRES=1";
      FAIL() << "CRMSYNC_TEST_PG_URL is not set: run the store tests through ctest (which starts PostgreSQL with "
                "the postgres fixture), set it to a test database URL, or set CRMSYNC_SKIP_POSTGRES=1 to skip the "
                "PostgreSQL half on purpose";
    }
    // Each test gets its own schema, so tests may run in parallel against one server.
    schema_ = "crmsync_t_" + randomSuffix();
    auto target = crmsync::store::parseDatabaseUrl(base);
    ASSERT_TRUE(target.isOk()) << target.status().toString();
    pgConninfo_ = target->connectString;
    soci::session admin(soci::postgresql, pgConninfo_);
    admin << "CREATE SCHEMA " + schema_;
    std::string b(base);
    url_ = b + (b.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }

  void TearDown() override {
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
    if (!schema_.empty()) {
      soci::session admin(soci::postgresql, pgConninfo_);
      admin << "SET client_min_messages = warning";
      admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    }
  }

  StorePtr open() {
    auto s = crmsync::store::Store::open(url_);
    EXPECT_TRUE(s.isOk()) << s.status().toString();
    if (!s.isOk()) return nullptr;
    return std::move(s).value();
  }

  std::unique_ptr<RunTransaction> begin(crmsync::store::Store& store, const std::string& pipeline = "crm") {
    auto tx = store.beginRun(pipeline);
    EXPECT_TRUE(tx.isOk()) << tx.status().toString();
    if (!tx.isOk()) return nullptr;
    return std::move(tx).value();
  }

  static UpsertCounts upsert(RunTransaction& tx, const std::string& source, const std::vector<Record>& records) {
    auto c = tx.upsert(source, records);
    EXPECT_TRUE(c.isOk()) << c.status().toString();
    return c.isOk() ? *c : UpsertCounts{-1, -1, -1};
  }

  static int64_t count(crmsync::store::Store& store, const std::string& table) {
    auto n = store.countRows(table);
    EXPECT_TRUE(n.isOk()) << n.status().toString();
    return n.isOk() ? *n : -1;
  }

  static long long queryInt(crmsync::store::Store& store, const std::string& sql) {
    long long v = -1;
    store.session() << sql, soci::into(v);
    return v;
  }

  static std::optional<std::string> queryText(crmsync::store::Store& store, const std::string& sql,
                                              const std::string& param) {
    std::string v;
    soci::indicator ind = soci::i_null;
    store.session() << sql, soci::use(param), soci::into(v, ind);
    if (!store.session().got_data() || ind != soci::i_ok) return std::nullopt;
    return v;
  }

  static std::vector<std::string> contactPoints(crmsync::store::Store& store, const std::string& sourceKey) {
    std::vector<std::string> out;
    std::string kind, value;
    std::string key = sourceKey;
    soci::statement st = (store.session().prepare << "SELECT p.kind, p.value_norm FROM contact_point p "
                                                     "JOIN source_record s ON s.customer_id = p.customer_id "
                                                     "WHERE s.source_key = :k ORDER BY p.kind, p.value_norm",
                          soci::use(key), soci::into(kind), soci::into(value));
    st.execute();
    while (st.fetch()) out.push_back(kind + ":" + value);
    return out;
  }

  fs::path dir_;
  std::string schema_;
  std::string pgConninfo_;
  std::string url_;
};

TEST_P(Store, MigratesAFreshDatabaseToTheLatestVersion) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schemaVersion(), crmsync::store::latestSchemaVersion());
  EXPECT_EQ(store->backend(), GetParam() == TestBackend::kSqlite ? "sqlite" : "postgresql");
  for (auto table : crmsync::store::schemaTables()) {
    std::string t(table);
    EXPECT_EQ(count(*store, t), t == "schema_migrations" ? crmsync::store::latestSchemaVersion() : 0) << t;
  }
  auto applied = queryText(*store, "SELECT applied_at FROM schema_migrations WHERE description = :d",
                           std::string(crmsync::store::migrations().front().description));
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->size(), 24u);  // 2026-11-22T10:00:00.123Z
  EXPECT_EQ(applied->back(), 'Z');
}

TEST_P(Store, UpgradesAVersionOneDatabaseKeepingItsContactPoints) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto& sql = store->session();
    // Back to version 1 as an earlier crmsync left it: contact_point with its own id and source columns, and
    // nothing of the later migrations.
    sql << "DROP VIEW golden_interaction";
    sql << "DROP INDEX interaction_unlinked_idx";
    sql << "DROP VIEW golden_contact_point";
    sql << "DROP VIEW golden_customer";
    for (const char* t : {"match_key", "match_decision", "match_state"}) {
      sql << "DROP TABLE " + std::string(t);
    }
    sql << "DROP INDEX merge_log_open_idx";
    sql << "DROP TABLE contact_point";
    sql << "DELETE FROM schema_migrations WHERE version > 1";
    for (auto stmt : crmsync::store::migrations().front().statements) {
      const std::string text(stmt);
      if (text.find("contact_point") != std::string::npos) {
        sql << crmsync::store::expandSql(text, GetParam() == TestBackend::kSqlite ? crmsync::store::Backend::kSqlite
                                                                                   : crmsync::store::Backend::kPostgresql);
      }
    }
    sql << "INSERT INTO customer (id, kind, created_at, updated_at) VALUES (7, 'person', 'x', 'x')";
    for (const char* source : {"crm", "erp"}) {  // the same point from two sources: one row now
      sql << "INSERT INTO contact_point (kind, value_norm, customer_id, source, source_key) "
             "VALUES ('email', 'ann@example.com', 7, :s, 'k1')",
          soci::use(std::string(source));
    }
    sql << "INSERT INTO contact_point (kind, value_norm, customer_id, source, source_key) "
           "VALUES ('phone', '+4712345678', 7, 'crm', 'k1')";
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schemaVersion(), crmsync::store::latestSchemaVersion());
  EXPECT_EQ(count(*store, "contact_point"), 2);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM contact_point WHERE customer_id = 7 AND kind = 'email' "
                             "AND value_norm = 'ann@example.com'"),
            1);
}

TEST_P(Store, ReopeningAMigratedDatabaseIsIdempotent) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto tx = begin(*store);
    ASSERT_TRUE(tx);
    upsert(*tx, "crm", {person("1", "Ann", "ann@example.com")});
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  for (int i = 0; i < 2; ++i) {
    auto store = open();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->schemaVersion(), crmsync::store::latestSchemaVersion());
    EXPECT_EQ(count(*store, "schema_migrations"), crmsync::store::latestSchemaVersion());
    EXPECT_EQ(count(*store, "customer"), 1);
  }
}

TEST_P(Store, RefusesADatabaseWithANewerSchemaVersion) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    store->session() << "INSERT INTO schema_migrations (version, description, applied_at) "
                        "VALUES (999, 'from the future', '2030-01-01T00:00:00.000Z')";
  }
  auto again = crmsync::store::Store::open(url_);
  ASSERT_FALSE(again.isOk());
  EXPECT_EQ(again.status().code(), StatusCode::kStoreError);
  EXPECT_NE(again.status().message().find("schema version 999"), std::string::npos) << again.status().message();
  EXPECT_NE(again.status().message().find("newer crmsync"), std::string::npos) << again.status().message();
}

TEST_P(Store, InsertsNewCustomersWithSourceRecordsAndPayload) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  ASSERT_TRUE(tx);
  Record r = customer("c1", {{"kind", "person"},
                             {"name", "Ann Lee"},
                             {"given_name", "Ann"},
                             {"family_name", "Lee"},
                             {"email", "ann@example.com"},
                             {"lifecycle", "existing"},
                             {"loyalty_tier", "gold"}});
  r.updatedAt = "2026-01-02T03:04:05Z";
  r.qualityFlags = {"phone: missing"};
  auto c = upsert(*tx, "crm", {r, person("c2", "Bo", std::nullopt)});
  EXPECT_EQ(c.inserted, 2);
  EXPECT_EQ(c.updated, 0);
  EXPECT_EQ(c.unchanged, 0);
  ASSERT_TRUE(tx->commit(2, 2, 0, "{}").isOk());

  EXPECT_EQ(count(*store, "customer"), 2);
  EXPECT_EQ(count(*store, "source_record"), 2);
  EXPECT_EQ(*store->customerCount(), 2);
  EXPECT_EQ(queryText(*store,
                      "SELECT c.family_name FROM customer c JOIN source_record s ON s.customer_id = c.id "
                      "WHERE s.source_key = :k",
                      "c1"),
            "Lee");
  EXPECT_EQ(queryText(*store, "SELECT kind FROM customer WHERE name = :n", "Bo"), "person");  // defaulted
  auto payload = queryText(*store, "SELECT payload FROM source_record WHERE source_key = :k", "c1");
  ASSERT_TRUE(payload);
  auto j = nlohmann::json::parse(*payload);
  EXPECT_EQ(j["loyalty_tier"], "gold");  // unknown fields live only in the payload
  EXPECT_EQ(j["name"], "Ann Lee");
  auto hash = queryText(*store, "SELECT record_hash FROM source_record WHERE source_key = :k", "c1");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->size(), 16u);
  EXPECT_EQ(queryText(*store, "SELECT quality_flags FROM source_record WHERE source_key = :k", "c1"),
            "[\"phone: missing\"]");
  EXPECT_EQ(queryText(*store, "SELECT source_updated_at FROM source_record WHERE source_key = :k", "c1"),
            "2026-01-02T03:04:05Z");
  EXPECT_EQ(queryText(*store, "SELECT origin FROM source_record WHERE source_key = :k", "c1"), "contacts.csv:c1");
  auto runs = store->recentRuns(5);
  ASSERT_TRUE(runs.isOk());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(queryInt(*store, "SELECT MIN(first_run) FROM source_record"), runs->front().id);
  EXPECT_EQ(queryInt(*store, "SELECT MIN(created_run) FROM customer"), runs->front().id);
}

TEST_P(Store, LeavesRecordsWithAnUnchangedHashAlone) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<Record> batch = {person("1", "Ann", "ann@example.com", "+4712345678"), person("2", "Bo", "bo@x.no")};
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", batch);
    ASSERT_TRUE(tx->commit(2, 2, 0, "{}").isOk());
  }
  auto firstRun = store->recentRuns(1)->front().id;
  // Same content, different field order and origin: nothing to write.
  std::reverse(batch[0].fields.begin(), batch[0].fields.end());
  batch[0].origin = "contacts.csv:99";
  auto tx = begin(*store);
  auto c = upsert(*tx, "crm", batch);
  EXPECT_EQ(c.inserted, 0);
  EXPECT_EQ(c.updated, 0);
  EXPECT_EQ(c.unchanged, 2);
  ASSERT_TRUE(tx->commit(2, 0, 0, "{}").isOk());
  EXPECT_EQ(queryInt(*store, "SELECT MAX(last_run) FROM source_record"), firstRun);
  EXPECT_EQ(queryText(*store, "SELECT origin FROM source_record WHERE source_key = :k", "1"), "contacts.csv:1");
  EXPECT_EQ(count(*store, "contact_point"), 3);
}

TEST_P(Store, UpdatesChangedRecordsAndOnlyTheCustomerColumnsTheyCarry) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {customer("1", {{"name", "Ann"}, {"city", "Oslo"}, {"title", "CTO"}})});
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  auto firstRun = store->recentRuns(1)->front().id;
  auto tx = begin(*store);
  // city changes, title becomes null, name is absent (kept as it was), a new unknown field appears.
  auto c = upsert(*tx, "crm", {customer("1", {{"city", "Bergen"}, {"title", std::nullopt}, {"vip", "yes"}})});
  EXPECT_EQ(c.updated, 1);
  EXPECT_EQ(c.inserted, 0);
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  auto secondRun = store->recentRuns(1)->front().id;

  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(count(*store, "source_record"), 1);
  EXPECT_EQ(queryText(*store, "SELECT city FROM customer WHERE name = :n", "Ann"), "Bergen");
  EXPECT_EQ(queryText(*store, "SELECT title FROM customer WHERE name = :n", "Ann"), std::nullopt);
  EXPECT_EQ(queryInt(*store, "SELECT first_run FROM source_record"), firstRun);
  EXPECT_EQ(queryInt(*store, "SELECT last_run FROM source_record"), secondRun);
  EXPECT_EQ(queryInt(*store, "SELECT created_run FROM customer"), firstRun);
  EXPECT_EQ(queryInt(*store, "SELECT updated_run FROM customer"), secondRun);
  auto payload = nlohmann::json::parse(*queryText(*store, "SELECT payload FROM source_record WHERE source = :s", "crm"));
  EXPECT_EQ(payload["vip"], "yes");
  EXPECT_FALSE(payload.contains("name"));
}

TEST_P(Store, NullAndEmptyValuesAreDifferentContent) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "crm", {customer("1", {{"name", "Ann"}, {"title", std::nullopt}})});
  EXPECT_EQ(upsert(*tx, "crm", {customer("1", {{"name", "Ann"}, {"title", ""}})}).updated, 1);
  EXPECT_EQ(upsert(*tx, "crm", {customer("1", {{"name", "Ann"}, {"title", ""}})}).unchanged, 1);
  EXPECT_EQ(upsert(*tx, "crm", {customer("1", {{"name", "Ann"}})}).updated, 1);
  ASSERT_TRUE(tx->commit(4, 3, 0, "{}").isOk());
  EXPECT_EQ(queryText(*store, "SELECT title FROM customer WHERE name = :n", "Ann"), "");
}

TEST_P(Store, CreatesContactPointsForEmailPhoneAndMobile) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "crm",
         {person("1", "Ann", "ann@example.com", "+4712345678", "+4798765432"),
          person("2", "Bo", std::nullopt, "+4711111111", "+4711111111"),  // mobile == phone: one point
          person("3", "Cy", "", std::nullopt, std::nullopt)});             // empty email: no point
  ASSERT_TRUE(tx->commit(3, 3, 0, "{}").isOk());
  EXPECT_EQ(contactPoints(*store, "1"),
            (std::vector<std::string>{"email:ann@example.com", "phone:+4712345678", "phone:+4798765432"}));
  EXPECT_EQ(contactPoints(*store, "2"), (std::vector<std::string>{"phone:+4711111111"}));
  EXPECT_TRUE(contactPoints(*store, "3").empty());
  EXPECT_EQ(queryInt(*store,
                     "SELECT COUNT(*) FROM contact_point p JOIN source_record s ON s.customer_id = p.customer_id"),
            4);
}

TEST_P(Store, ReplacesTheContactPointsOfAChangedRecord) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "crm", {person("1", "Ann", "ann@old.example", "+4712345678"), person("2", "Bo", "bo@example.com")});
  upsert(*tx, "crm", {person("1", "Ann", "ann@new.example", std::nullopt, "+4799999999")});
  ASSERT_TRUE(tx->commit(3, 3, 0, "{}").isOk());
  EXPECT_EQ(contactPoints(*store, "1"), (std::vector<std::string>{"email:ann@new.example", "phone:+4799999999"}));
  EXPECT_EQ(contactPoints(*store, "2"), (std::vector<std::string>{"email:bo@example.com"}));
}

TEST_P(Store, ALaterRunReplacesTheContactPointsOfAChangedRecord) {
  auto store = open();
  ASSERT_TRUE(store);
  auto first = begin(*store);
  upsert(*first, "crm", {person("1", "Ann", "ann@old.example", "+4712345678", "+4712345678")});
  ASSERT_TRUE(first->commit(1, 1, 0, "{}").isOk());
  auto second = begin(*store);
  EXPECT_EQ(upsert(*second, "crm", {person("1", "Ann", "ann@new.example", "+4712345678")}).updated, 1);
  ASSERT_TRUE(second->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(contactPoints(*store, "1"), (std::vector<std::string>{"email:ann@new.example", "phone:+4712345678"}));
  EXPECT_EQ(count(*store, "contact_point"), 2);
}

TEST_P(Store, KeepsOtherEntitiesInSourceRecordOnly) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  Record call;
  call.entity = "interaction";
  call.sourceKey = "call-1";
  call.fields = {{"channel", "phone"}, {"party_phone", "+4712345678"}, {"email", "not-a-customer@example.com"}};
  Record sameKeyCustomer = person("call-1", "Ann", "ann@example.com");
  auto c = upsert(*tx, "pbx", {call, sameKeyCustomer});
  EXPECT_EQ(c.inserted, 2);  // (source, entity, key) is the identity: same key, two entities
  EXPECT_EQ(upsert(*tx, "pbx", {call}).unchanged, 1);
  ASSERT_TRUE(tx->commit(2, 2, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(count(*store, "source_record"), 2);
  EXPECT_EQ(count(*store, "contact_point"), 1);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM source_record WHERE entity = 'interaction' AND customer_id IS NULL"),
            1);
}

TEST_P(Store, LaterDuplicatesInOneBatchWin) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  auto c = upsert(*tx, "crm",
                  {person("1", "Ann", "a@x.no"), person("2", "Bo", "b@x.no"), person("1", "Ann", "ann@x.no"),
                   person("1", "Ann", "ann@x.no")});
  EXPECT_EQ(c.inserted, 2);
  EXPECT_EQ(c.updated, 1);
  EXPECT_EQ(c.unchanged, 1);
  ASSERT_TRUE(tx->commit(4, 3, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 2);
  EXPECT_EQ(contactPoints(*store, "1"), (std::vector<std::string>{"email:ann@x.no"}));
}

TEST_P(Store, UpsertsBatchesLargerThanOneRound) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<Record> batch;
  for (int i = 0; i < 2345; ++i) {
    batch.push_back(person("k" + std::to_string(i), "Name " + std::to_string(i),
                           "p" + std::to_string(i) + "@example.com", "+47" + std::to_string(40000000 + i)));
  }
  {
    auto tx = begin(*store);
    EXPECT_EQ(upsert(*tx, "crm", batch).inserted, 2345);
    ASSERT_TRUE(tx->commit(2345, 2345, 0, "{}").isOk());
  }
  for (int i = 0; i < 2345; i += 100) batch[static_cast<size_t>(i)].set("city", "Tromsø");
  auto tx = begin(*store);
  auto c = upsert(*tx, "crm", batch);
  EXPECT_EQ(c.inserted, 0);
  EXPECT_EQ(c.updated, 24);
  EXPECT_EQ(c.unchanged, 2345 - 24);
  ASSERT_TRUE(tx->commit(2345, 24, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 2345);
  EXPECT_EQ(count(*store, "contact_point"), 2 * 2345);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM customer WHERE city = 'Tromsø'"), 24);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(DISTINCT customer_id) FROM source_record"), 2345);
}

TEST_P(Store, CursorIsVisibleOnlyAfterCommit) {
  auto writer = open();
  auto reader = open();
  ASSERT_TRUE(writer && reader);
  EXPECT_EQ(*reader->cursor("crm", "mail"), std::nullopt);
  auto tx = begin(*writer);
  ASSERT_TRUE(tx->setCursor("crm", "mail", "uid:42").isOk());
  ASSERT_TRUE(tx->setCursor("crm", "mail", "uid:43").isOk());  // the last one staged wins
  EXPECT_EQ(*reader->cursor("crm", "mail"), std::nullopt);
  ASSERT_TRUE(tx->commit(0, 0, 0, "{}").isOk());
  EXPECT_EQ(*reader->cursor("crm", "mail"), "uid:43");
  EXPECT_EQ(*reader->cursor("other", "mail"), std::nullopt);
  auto tx2 = begin(*writer);
  ASSERT_TRUE(tx2->setCursor("crm", "mail", "uid:99").isOk());
  ASSERT_TRUE(tx2->commit(0, 0, 0, "{}").isOk());
  EXPECT_EQ(*reader->cursor("crm", "mail"), "uid:99");
  EXPECT_EQ(count(*reader, "source_state"), 1);
}

TEST_P(Store, RollsBackRecordsAndCursorsWhenRunIsNotCommitted) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann", "ann@example.com")});
    ASSERT_TRUE(tx->setCursor("crm", "crm", "v1").isOk());
    ASSERT_TRUE(tx->quarantine({"crm", "bad-1", "contacts.csv:7", "email: invalid", "raw line"}).isOk());
    ASSERT_TRUE(tx->commit(2, 1, 1, "{}").isOk());
  }
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann B", "annb@example.com"), person("2", "Bo", "bo@example.com")});
    ASSERT_TRUE(tx->setCursor("crm", "crm", "v2").isOk());
    ASSERT_TRUE(tx->quarantine({"crm", "bad-2", "contacts.csv:8", "name: missing", std::nullopt}).isOk());
    // destroyed without commit()
  }
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("3", "Cy", "cy@example.com")});
    tx->rollback();
    EXPECT_FALSE(tx->commit(0, 0, 0, "{}").isOk());  // rolled back is final
  }
  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(count(*store, "source_record"), 1);
  EXPECT_EQ(contactPoints(*store, "1"), (std::vector<std::string>{"email:ann@example.com"}));
  EXPECT_EQ(queryText(*store, "SELECT name FROM customer WHERE email = :e", "ann@example.com"), "Ann");
  EXPECT_EQ(*store->cursor("crm", "crm"), "v1");
  EXPECT_EQ(count(*store, "quarantine"), 1);
  auto runs = store->recentRuns(10);
  ASSERT_TRUE(runs.isOk());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().status, "succeeded");
  // And the store is usable afterwards.
  auto tx = begin(*store);
  ASSERT_TRUE(tx);
  EXPECT_EQ(upsert(*tx, "crm", {person("2", "Bo", "bo@example.com")}).inserted, 1);
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
}

TEST_P(Store, ADatabaseErrorFailsTheRunAndLeavesTheDatabaseAsItWas) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann", "ann@example.com")});
    ASSERT_TRUE(tx->setCursor("crm", "crm", "v1").isOk());
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  // A trigger stands in for any failure the database reports halfway through a run.
  if (GetParam() == TestBackend::kSqlite) {
    store->session() << "CREATE TRIGGER boom BEFORE INSERT ON customer WHEN NEW.name = 'boom' "
                        "BEGIN SELECT RAISE(ABORT, 'boom refused'); END";
  } else {
    store->session() << "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        "IF NEW.name = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$";
    store->session() << "CREATE TRIGGER boom BEFORE INSERT ON customer FOR EACH ROW EXECUTE FUNCTION boom()";
  }
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("2", "Bo", "bo@example.com")});
    ASSERT_TRUE(tx->setCursor("crm", "crm", "v2").isOk());
    auto failed = tx->upsert("crm", {person("3", "Cy", std::nullopt), person("4", "boom", std::nullopt)});
    ASSERT_FALSE(failed.isOk());
    EXPECT_EQ(failed.status().code(), StatusCode::kStoreError);
    EXPECT_NE(failed.status().message().find("boom refused"), std::string::npos) << failed.status().message();
    EXPECT_NE(failed.status().message().find("source 'crm'"), std::string::npos) << failed.status().message();
    auto after = tx->setCursor("crm", "crm", "v3");
    EXPECT_NE(after.message().find("can only be rolled back"), std::string::npos) << after.message();
    EXPECT_FALSE(tx->commit(3, 2, 0, "{}").isOk());
  }
  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(count(*store, "source_record"), 1);
  EXPECT_EQ(*store->cursor("crm", "crm"), "v1");
  EXPECT_EQ(store->recentRuns(10)->size(), 1u);
  auto id = store->recordFailedRun("crm", crmsync::store::nowIso8601(), "boom refused", "{}");
  ASSERT_TRUE(id.isOk()) << id.status().toString();
  auto tx = begin(*store);
  ASSERT_TRUE(tx);
  EXPECT_EQ(upsert(*tx, "crm", {person("2", "Bo", "bo@example.com")}).inserted, 1);
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 2);
}

TEST_P(Store, CommitRecordsTheRunWithItsCountsAndStats) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store, "nightly");
  ASSERT_TRUE(tx);
  int64_t id = tx->runId();
  {
    auto runs = store->recentRuns(5);  // same connection: sees its own running row
    ASSERT_TRUE(runs.isOk());
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ(runs->front().status, "running");
    EXPECT_FALSE(runs->front().finishedAt);
  }
  ASSERT_TRUE(tx->commit(10, 8, 2, R"({"sources":{"crm":{"read":10}}})").isOk());
  EXPECT_FALSE(tx->upsert("crm", {person("1", "Ann", std::nullopt)}).isOk());  // committed is final
  auto runs = store->recentRuns(5);
  ASSERT_TRUE(runs.isOk());
  ASSERT_EQ(runs->size(), 1u);
  const auto& r = runs->front();
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.pipeline, "nightly");
  EXPECT_EQ(r.status, "succeeded");
  EXPECT_EQ(r.recordsRead, 10);
  EXPECT_EQ(r.recordsLoaded, 8);
  EXPECT_EQ(r.recordsQuarantined, 2);
  ASSERT_TRUE(r.finishedAt);
  EXPECT_LE(r.startedAt, *r.finishedAt);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(nlohmann::json::parse(r.statsJson)["sources"]["crm"]["read"], 10);
}

TEST_P(Store, RecordsAFailedRunInItsOwnTransaction) {
  auto store = open();
  ASSERT_TRUE(store);
  std::string started = crmsync::store::nowIso8601();
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann", std::nullopt)});
    // A failed run may not be recorded while its transaction is open.
    EXPECT_FALSE(store->recordFailedRun("crm", started, "too early", "{}").isOk());
    EXPECT_EQ(store->beginRun("crm").status().code(), StatusCode::kStoreError);  // one run at a time
    tx->rollback();
  }
  auto id = store->recordFailedRun("crm", started, "audit gate 'email valid' failed: 12% > 5%", R"({"read":3})");
  ASSERT_TRUE(id.isOk()) << id.status().toString();
  auto runs = store->recentRuns(10);
  ASSERT_TRUE(runs.isOk());
  ASSERT_EQ(runs->size(), 1u);
  const auto& r = runs->front();
  EXPECT_EQ(r.id, *id);
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.startedAt, started);
  EXPECT_TRUE(r.finishedAt);
  EXPECT_EQ(r.error, "audit gate 'email valid' failed: 12% > 5%");
  EXPECT_EQ(r.statsJson, R"({"read":3})");
  EXPECT_EQ(count(*store, "customer"), 0);
}

TEST_P(Store, ListsRecentRunsNewestFirst) {
  auto store = open();
  ASSERT_TRUE(store);
  for (int i = 0; i < 3; ++i) {
    auto tx = begin(*store, "p" + std::to_string(i));
    ASSERT_TRUE(tx->commit(i, i, 0, "{}").isOk());
  }
  auto runs = store->recentRuns(2);
  ASSERT_TRUE(runs.isOk());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].pipeline, "p2");
  EXPECT_EQ((*runs)[1].pipeline, "p1");
  EXPECT_EQ(store->recentRuns(0)->size(), 3u);
}

TEST_P(Store, QuarantinesItemsUnderTheirRun) {
  auto store = open();
  ASSERT_TRUE(store);
  int64_t first = 0, second = 0;
  {
    auto tx = begin(*store);
    first = tx->runId();
    ASSERT_TRUE(tx->quarantine({"crm", "k1", "contacts.csv:3", "email: invalid", "a,b,c"}).isOk());
    ASSERT_TRUE(tx->quarantine({"crm", std::nullopt, "contacts.csv:4", "unparseable line", std::nullopt}).isOk());
    ASSERT_TRUE(tx->commit(2, 0, 2, "{}").isOk());
  }
  {
    auto tx = begin(*store);
    second = tx->runId();
    ASSERT_TRUE(tx->quarantine({"erp", "9", "erp:9", "total: not a number", "{}"}).isOk());
    ASSERT_TRUE(tx->commit(1, 0, 1, "{}").isOk());
  }
  auto all = store->quarantine(std::nullopt, 100);
  ASSERT_TRUE(all.isOk());
  ASSERT_EQ(all->size(), 3u);
  auto ofFirst = store->quarantine(first, 100);
  ASSERT_TRUE(ofFirst.isOk());
  ASSERT_EQ(ofFirst->size(), 2u);
  EXPECT_EQ((*ofFirst)[0].runId, first);
  EXPECT_EQ((*ofFirst)[0].sourceKey, "k1");
  EXPECT_EQ((*ofFirst)[0].origin, "contacts.csv:3");
  EXPECT_EQ((*ofFirst)[0].reasons, "email: invalid");
  EXPECT_EQ((*ofFirst)[0].payload, "a,b,c");
  EXPECT_FALSE((*ofFirst)[1].sourceKey);
  EXPECT_FALSE((*ofFirst)[1].payload);
  auto ofSecond = store->quarantine(second, 1);
  ASSERT_EQ(ofSecond->size(), 1u);
  EXPECT_EQ(ofSecond->front().source, "erp");
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM quarantine WHERE status = 'held'"), 3);
}

TEST_P(Store, AKilledProcessLeavesTheDatabaseUnchanged) {
  {
    auto store = open();  // created and migrated by this process, then closed before the fork
    ASSERT_TRUE(store);
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann", "ann@example.com")});
    ASSERT_TRUE(tx->setCursor("crm", "crm", "before").isOk());
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: no gtest here, only an exit code. It dies mid-run, as a crash or a kill -9 would.
    auto store = crmsync::store::Store::open(url_);
    if (!store.isOk()) _exit(10);
    auto tx = (*store)->beginRun("crm");
    if (!tx.isOk()) _exit(11);
    std::vector<Record> batch;
    for (int i = 0; i < 3000; ++i) batch.push_back(person("n" + std::to_string(i), "N", "n@example.com"));
    batch.push_back(person("1", "Changed", "changed@example.com"));
    if (!(*tx)->upsert("crm", batch).isOk()) _exit(12);
    if (!(*tx)->setCursor("crm", "crm", "after").isOk()) _exit(13);
    if (!(*tx)->quarantine({"crm", "q", "o", "r", std::nullopt}).isOk()) _exit(14);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child failed before it could die mid-run";

  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(count(*store, "source_record"), 1);
  EXPECT_EQ(count(*store, "quarantine"), 0);
  EXPECT_EQ(queryText(*store, "SELECT name FROM customer WHERE email = :e", "ann@example.com"), "Ann");
  EXPECT_EQ(*store->cursor("crm", "crm"), "before");
  EXPECT_EQ(store->recentRuns(10)->size(), 1u);
  auto tx = begin(*store);
  ASSERT_TRUE(tx);
  EXPECT_EQ(upsert(*tx, "crm", {person("2", "Bo", std::nullopt)}).inserted, 1);
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 2);
}

TEST_P(Store, BindsQuotesAndUnicodeAsPlainData) {
  auto store = open();
  ASSERT_TRUE(store);
  const std::string nasty = "Robert'); DROP TABLE customer; -- \"O'Brien\" \\ :name $1 ? % _";
  const std::string unicode = "Zoë Ångström 東京都 Ελλάδα 🚀";
  const std::string source = "src 'quoted' ünï";
  const std::string pipeline = "pipe \"line\" ';";
  auto tx = begin(*store, pipeline);
  ASSERT_TRUE(tx);
  Record r = customer(nasty, {{"name", nasty}, {"city", unicode}, {"email", unicode + "@例え.jp"}, {nasty, unicode}});
  auto c = upsert(*tx, source, {r});
  EXPECT_EQ(c.inserted, 1);
  EXPECT_EQ(upsert(*tx, source, {r}).unchanged, 1);
  ASSERT_TRUE(tx->setCursor(pipeline, source, nasty + unicode).isOk());
  ASSERT_TRUE(tx->quarantine({source, nasty, unicode, nasty, unicode}).isOk());
  ASSERT_TRUE(tx->commit(1, 1, 1, "{}").isOk());

  EXPECT_EQ(count(*store, "customer"), 1);
  EXPECT_EQ(queryText(*store, "SELECT name FROM customer WHERE city = :c", unicode), nasty);
  EXPECT_EQ(queryText(*store, "SELECT source FROM source_record WHERE source_key = :k", nasty), source);
  auto payload = nlohmann::json::parse(*queryText(*store, "SELECT payload FROM source_record WHERE source = :s", source));
  EXPECT_EQ(payload[nasty], unicode);
  EXPECT_EQ(contactPoints(*store, nasty), (std::vector<std::string>{"email:" + unicode + "@例え.jp"}));
  EXPECT_EQ(*store->cursor(pipeline, source), nasty + unicode);
  auto q = store->quarantine(std::nullopt, 10);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ(q->front().sourceKey, nasty);
  EXPECT_EQ(q->front().origin, unicode);
  EXPECT_EQ(q->front().reasons, nasty);
  EXPECT_EQ(q->front().payload, unicode);
  EXPECT_EQ(store->recentRuns(1)->front().pipeline, pipeline);
}

TEST_P(Store, CountRowsAcceptsOnlySchemaTables) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->countRows("customer; DROP TABLE run").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(store->countRows("sqlite_master").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(count(*store, "run"), 0);
}

TEST_P(Store, CustomerCountLeavesOutMergedCustomers) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "crm", {person("1", "Ann", "a@x.no"), person("2", "Ann", "a@x.no"), person("3", "Bo", "b@x.no")});
  ASSERT_TRUE(tx->commit(3, 3, 0, "{}").isOk());
  EXPECT_EQ(*store->customerCount(), 3);
  store->session() << "UPDATE customer SET merged_into = (SELECT MIN(id) FROM customer) "
                      "WHERE name = 'Ann' AND id > (SELECT MIN(id) FROM customer)";
  EXPECT_EQ(*store->customerCount(), 2);
  EXPECT_EQ(count(*store, "customer"), 3);
}

TEST_P(Store, CustomerIdsStayUniqueAcrossRunsAndOtherWriters) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "crm", {person("1", "Ann", std::nullopt)});
    // Another module inserting a customer itself, in the same transaction, with a database-assigned id.
    store->session() << "INSERT INTO customer (kind, name, created_at, updated_at) VALUES ('org', 'Acme', 'x', 'x')";
    upsert(*tx, "crm", {person("2", "Bo", std::nullopt), person("3", "Cy", std::nullopt)});
    ASSERT_TRUE(tx->commit(3, 3, 0, "{}").isOk());
  }
  store->session() << "INSERT INTO customer (kind, name, created_at, updated_at) VALUES ('org', 'Beta', 'x', 'x')";
  auto tx = begin(*store);
  upsert(*tx, "crm2", {person("1", "Di", std::nullopt)});
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "customer"), 6);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(DISTINCT id) FROM customer"), 6);
}

Record interaction(const std::string& key, std::vector<Field> fields) {
  Record r;
  r.entity = "interaction";
  r.sourceKey = key;
  r.origin = "calls.csv:" + key;
  r.fields = std::move(fields);
  return r;
}

TEST_P(Store, InteractionsAreLinkedThroughContactPointsOfCustomersLoadedBefore) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  // The customer and the interaction that names it in one batch; a second interaction by phone only.
  upsert(*tx, "mail", {person("email:ann@example.com", "Ann", "ann@example.com", "+4722334455"),
                       interaction("<m1@example.com>", {{"channel", "email"}, {"direction", "in"},
                                                         {"occurred_at", "2024-05-01T08:12:44Z"},
                                                         {"subject", "Quote"}, {"party_email", "ann@example.com"},
                                                         {"thread_key", "<m1@example.com>"}})});
  upsert(*tx, "pbx", {interaction("1536293101.12458", {{"channel", "phone"}, {"direction", "out"},
                                                       {"duration_s", "19"}, {"outcome", "answered"},
                                                       {"party_phone", "+4722334455"}}),
                      interaction("1536293101.99", {{"channel", "phone"}, {"party_phone", "+4799999999"},
                                                    {"duration_s", "n/a"}})});
  ASSERT_TRUE(tx->commit(4, 4, 0, "{}").isOk());

  const long long ann = queryInt(*store, "SELECT id FROM customer WHERE name = 'Ann'");
  EXPECT_EQ(count(*store, "interaction"), 3);
  EXPECT_EQ(queryInt(*store, "SELECT customer_id FROM interaction WHERE source = 'mail'"), ann);
  EXPECT_EQ(queryInt(*store, "SELECT customer_id FROM interaction WHERE source_key = '1536293101.12458'"), ann);
  EXPECT_EQ(queryInt(*store, "SELECT duration_s FROM interaction WHERE source_key = '1536293101.12458'"), 19);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM interaction WHERE customer_id IS NULL AND duration_s IS NULL"), 1);
  EXPECT_EQ(queryText(*store, "SELECT subject FROM interaction WHERE source = :s", "mail"), "Quote");
  // The record is kept as every other record is, too.
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM source_record WHERE entity = 'interaction'"), 3);
}

TEST_P(Store, AnInteractionIsLinkedWhenItsCustomerArrivesInALaterRun) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "pbx", {interaction("call-1", {{"channel", "phone"}, {"party_phone", "+4799999999"}})});
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM interaction WHERE customer_id IS NULL"), 1);
  auto tx = begin(*store);
  upsert(*tx, "crm", {person("7", "Bo", std::nullopt, std::nullopt, "+4799999999")});
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(queryInt(*store, "SELECT customer_id FROM interaction WHERE source_key = 'call-1'"),
            queryInt(*store, "SELECT id FROM customer WHERE name = 'Bo'"));
  EXPECT_EQ(queryInt(*store, "SELECT updated_run FROM interaction WHERE source_key = 'call-1'"), tx->runId());
}

TEST_P(Store, AChangedInteractionUpdatesItsRowAndAnUnchangedOneWritesNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  auto call = [](const std::string& status, std::optional<std::string> duration) {
    return interaction("CA42", {{"channel", "phone"}, {"outcome", status}, {"duration_s", duration},
                                {"party_phone", "+4722334455"}});
  };
  int64_t firstRun = 0;
  {
    auto tx = begin(*store);
    firstRun = tx->runId();
    upsert(*tx, "twilio", {call("in_progress", std::nullopt)});
    ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  }
  {
    auto tx = begin(*store);
    auto c = upsert(*tx, "twilio", {call("in_progress", std::nullopt)});
    EXPECT_EQ(c.unchanged, 1);
    ASSERT_TRUE(tx->commit(1, 0, 0, "{}").isOk());
  }
  EXPECT_EQ(queryInt(*store, "SELECT updated_run FROM interaction"), firstRun);
  auto tx = begin(*store);
  auto c = upsert(*tx, "twilio", {call("answered", "61")});
  EXPECT_EQ(c.updated, 1);
  ASSERT_TRUE(tx->commit(1, 1, 0, "{}").isOk());
  EXPECT_EQ(count(*store, "interaction"), 1);
  EXPECT_EQ(queryText(*store, "SELECT outcome FROM interaction WHERE source = :s", "twilio"), "answered");
  EXPECT_EQ(queryInt(*store, "SELECT duration_s FROM interaction"), 61);
  EXPECT_EQ(queryInt(*store, "SELECT created_run FROM interaction"), firstRun);
  EXPECT_EQ(queryInt(*store, "SELECT updated_run FROM interaction"), tx->runId());
}

TEST_P(Store, GoldenInteractionsFollowMerges) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "crm", {person("1", "Ann", "ann@example.com"), person("2", "Ann B.", "ann.b@example.com")});
  upsert(*tx, "mail", {interaction("m1", {{"party_email", "ann.b@example.com"}})});
  ASSERT_TRUE(tx->commit(3, 3, 0, "{}").isOk());
  const long long first = queryInt(*store, "SELECT id FROM customer WHERE name = 'Ann'");
  const long long second = queryInt(*store, "SELECT id FROM customer WHERE name = 'Ann B.'");
  store->session() << "UPDATE customer SET merged_into = :a WHERE id = :b", soci::use(first), soci::use(second);
  EXPECT_EQ(queryInt(*store, "SELECT customer_id FROM golden_interaction"), second);
  EXPECT_EQ(queryInt(*store, "SELECT golden_customer_id FROM golden_interaction"), first);
}

TEST_P(Store, ARolledBackRunLeavesNoInteraction) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "mail", {person("email:ann@example.com", "Ann", "ann@example.com"),
                         interaction("m1", {{"party_email", "ann@example.com"}})});
    tx->rollback();
  }
  EXPECT_EQ(count(*store, "interaction"), 0);
  EXPECT_EQ(count(*store, "contact_point"), 0);
}

Record entity(const std::string& kind, const std::string& key, std::vector<Field> fields) {
  Record r;
  r.entity = kind;
  r.sourceKey = key;
  r.origin = "erp:" + key;
  r.fields = std::move(fields);
  return r;
}

TEST_P(Store, OrdersLinkThroughTheErpIdOfTheirSourceAndConfirmTheCustomer) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = begin(*store);
    upsert(*tx, "odoo", {customer("res.partner:418", {{"kind", "organization"}, {"name", "Deco Addict"},
                                                      {"erp_id", "418"}}),
                         entity("order", "sale.order:7", {{"order_no", "S00007"}, {"party_erp_id", "418"},
                                                          {"order_date", "2024-05-02T10:00:00Z"},
                                                          {"status", "confirmed"}, {"total", "1250.50"},
                                                          {"currency", "EUR"}}),
                         entity("order", "sale.order:8", {{"order_no", "S00008"}, {"party_erp_id", "418"},
                                                          {"status", "done"}, {"total", "12,5"}}),
                         entity("order_line", "sale.order.line:31", {{"order_key", "sale.order:7"},
                                                                     {"line_no", "10"}, {"sku", "DESK-01"},
                                                                     {"qty", "2"}, {"unit_price", "625.25"},
                                                                     {"amount", "1250.50"}})});
    // The same partner id in another ERP is another partner.
    upsert(*tx, "sap", {entity("order", "A_SalesOrder:1", {{"party_erp_id", "418"}, {"status", "confirmed"}})});
    ASSERT_TRUE(tx->commit(5, 5, 0, "{}").isOk());
  }
  const long long deco = queryInt(*store, "SELECT id FROM customer WHERE name = 'Deco Addict'");
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM sales_order WHERE customer_id = " + std::to_string(deco)), 2);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM sales_order WHERE source = 'sap' AND customer_id IS NULL"), 1);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM sales_order WHERE order_no = 'S00008' AND total IS NULL"), 1);
  EXPECT_EQ(queryInt(*store, "SELECT CAST(total * 100 AS BIGINT) FROM sales_order WHERE order_no = 'S00007'"), 125050);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM order_line ol JOIN sales_order o ON o.id = ol.order_id "
                             "WHERE o.order_no = 'S00007' AND ol.sku = 'DESK-01' AND ol.line_no = 10"),
            1);
  // Two confirmed orders, one change of lifecycle.
  EXPECT_EQ(queryText(*store, "SELECT lifecycle FROM customer WHERE name = :n", "Deco Addict"), "existing");
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM lifecycle_event WHERE to_lifecycle = 'existing' AND customer_id = " +
                                 std::to_string(deco)),
            1);
  EXPECT_EQ(queryText(*store, "SELECT occurred_at FROM lifecycle_event WHERE source = :s", "odoo"),
            "2024-05-02T10:00:00Z");
}

TEST_P(Store, AnOrderLineWithoutItsOrderIsQuarantinedAndNotKept) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  auto c = upsert(*tx, "odoo", {entity("order_line", "sale.order.line:99", {{"order_key", "sale.order:404"},
                                                                            {"sku", "X"}})});
  EXPECT_EQ(c.quarantined, 1);
  ASSERT_TRUE(tx->commit(1, 0, 1, "{}").isOk());
  EXPECT_EQ(count(*store, "order_line"), 0);
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM source_record WHERE entity = 'order_line'"), 0);
  const auto reason = queryText(*store, "SELECT reasons FROM quarantine WHERE source_key = :k", "sale.order.line:99");
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("sale.order:404 is not loaded"), std::string::npos) << *reason;
}

TEST_P(Store, SocialInteractionsLinkThroughTheHandle) {
  auto store = open();
  ASSERT_TRUE(store);
  auto tx = begin(*store);
  upsert(*tx, "mastodon", {customer("mastodon:109", {{"name", "Ann"}, {"handle", "@ann@mastodon.social"}}),
                           interaction("status:1", {{"channel", "social"},
                                                    {"party_handle", "@ann@mastodon.social"}})});
  ASSERT_TRUE(tx->commit(2, 2, 0, "{}").isOk());
  EXPECT_EQ(queryInt(*store, "SELECT customer_id FROM interaction"),
            queryInt(*store, "SELECT id FROM customer WHERE name = 'Ann'"));
  EXPECT_EQ(queryInt(*store, "SELECT COUNT(*) FROM contact_point WHERE kind = 'handle'"), 1);
}

INSTANTIATE_TEST_SUITE_P(store, Store, ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgresql), backendName);

}  // namespace
