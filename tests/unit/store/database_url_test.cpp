#include "store/database_url.hpp"

#include <gtest/gtest.h>

#include "crmsync/store/store.hpp"

namespace crmsync::store {
namespace {

TEST(StoreUrl, TakesAPlainPathAsSqlite) {
  auto t = parseDatabaseUrl("data/crm.db");
  ASSERT_TRUE(t.isOk()) << t.status().toString();
  EXPECT_EQ(t->backend, Backend::kSqlite);
  EXPECT_EQ(t->path, "data/crm.db");
  EXPECT_EQ(t->connectString, "data/crm.db");
}

TEST(StoreUrl, AcceptsSqliteSchemeWithRelativeAndAbsolutePaths) {
  auto rel = parseDatabaseUrl("sqlite:crm.db");
  ASSERT_TRUE(rel.isOk());
  EXPECT_EQ(rel->path, "crm.db");
  auto abs = parseDatabaseUrl("sqlite:///var/lib/crmsync/crm.db");
  ASSERT_TRUE(abs.isOk());
  EXPECT_EQ(abs->path, "/var/lib/crmsync/crm.db");
  EXPECT_EQ(abs->backend, Backend::kSqlite);
}

TEST(StoreUrl, QuotesSqlitePathsContainingEquals) {
  auto t = parseDatabaseUrl("/tmp/a=b.db");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->connectString, "db=\"/tmp/a=b.db\"");
}

TEST(StoreUrl, RejectsEmptyUrlsAndUnknownSchemes) {
  EXPECT_EQ(parseDatabaseUrl("").status().code(), StatusCode::kInvalidConfig);
  EXPECT_EQ(parseDatabaseUrl("sqlite:").status().code(), StatusCode::kInvalidConfig);
  auto mysql = parseDatabaseUrl("mysql://u:p@h/db");
  ASSERT_FALSE(mysql.isOk());
  EXPECT_NE(mysql.status().message().find("unsupported scheme 'mysql'"), std::string::npos);
}

TEST(StoreUrl, ConvertsPostgresUrlToConninfo) {
  auto t = parseDatabaseUrl("postgresql://crm:s3cret@db.example.com:6543/crm_prod?sslmode=require");
  ASSERT_TRUE(t.isOk()) << t.status().toString();
  EXPECT_EQ(t->backend, Backend::kPostgresql);
  EXPECT_EQ(t->connectString,
            "user='crm' password='s3cret' host='db.example.com' port='6543' dbname='crm_prod' sslmode='require' "
            "client_encoding='UTF8'");
  EXPECT_EQ(t->password, "s3cret");
}

TEST(StoreUrl, NeverShowsThePasswordInTheDisplayForm) {
  auto t = parseDatabaseUrl("postgres://crm:s3cret@localhost/crm?password=other");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->display.find("s3cret"), std::string::npos);
  EXPECT_EQ(t->display.find("other"), std::string::npos);
  EXPECT_NE(t->display.find("crm:***@localhost"), std::string::npos);
}

TEST(StoreUrl, PercentDecodesAndEscapesConninfoValues) {
  auto t = parseDatabaseUrl("postgresql://o%27brien:p%40ss%27w%5Cd@[::1]:5432/my%20db?options=-csearch_path%3Dx");
  ASSERT_TRUE(t.isOk()) << t.status().toString();
  EXPECT_EQ(t->connectString,
            "user='o\\'brien' password='p@ss\\'w\\\\d' host='::1' port='5432' dbname='my db' "
            "options='-csearch_path=x' client_encoding='UTF8'");
  EXPECT_EQ(t->password, "p@ss'w\\d");
}

TEST(StoreUrl, RejectsMalformedPostgresUrls) {
  EXPECT_FALSE(parseDatabaseUrl("postgresql://u@host:port/db").isOk());
  EXPECT_FALSE(parseDatabaseUrl("postgresql://u@[::1/db").isOk());
  EXPECT_FALSE(parseDatabaseUrl("postgresql://u@h/db?sslmode").isOk());
  EXPECT_FALSE(parseDatabaseUrl("postgresql://u@h/db?SSLMODE=x").isOk());
  EXPECT_FALSE(parseDatabaseUrl("postgresql://u%zz@h/db").isOk());
}

TEST(StoreUrl, RedactReplacesEveryOccurrence) {
  EXPECT_EQ(redact("a pw b pw", "pw"), "a *** b ***");
  EXPECT_EQ(redact("unchanged", ""), "unchanged");
}

TEST(StoreUrl, AFailedPostgresConnectionDoesNotRevealThePassword) {
  // Port 1 on loopback: nothing listens, so the connection is refused quickly.
  auto store = Store::open("postgresql://crm:TopSecretPw@127.0.0.1:1/crm?connect_timeout=2");
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kStoreError);
  EXPECT_EQ(store.status().message().find("TopSecretPw"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("crm:***@127.0.0.1:1"), std::string::npos) << store.status().message();
}

TEST(StoreUrl, AMissingSqliteDirectoryIsAClearError) {
  auto store = Store::open("/nonexistent-dir-for-crmsync/crm.db");
  ASSERT_FALSE(store.isOk());
  EXPECT_NE(store.status().message().find("/nonexistent-dir-for-crmsync/crm.db"), std::string::npos)
      << store.status().message();
}

}  // namespace
}  // namespace crmsync::store
