// The email source in IMAP mode through FakeHost against a real Dovecot on loopback (the CTest fixture's
// server, or one this process starts): records, incremental runs, the insecure warning, and the same keys as a
// file mailbox holding the same messages.
#include "test_support.hpp"

#include "connectors/email_imap/dovecot_server.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <set>

namespace crmsync::email {
namespace {

namespace fs = std::filesystem;
using test::DovecotServer;
using testing::recordsOf;
using testing::recordWithKey;

std::string userFor() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("src") + info->name() + "@example.com";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::map<std::string, std::string> imapConfig(const DovecotServer& server, const std::string& user) {
  return {{"url", server.url()},          {"username", user},          {"password", "${env:CRMSYNC_TEST_IMAP_PW}"},
          {"connect_timeout_s", "5"},     {"timeout_s", "30"},         {"own_addresses", "[\"sales@example.com\"]"}};
}

std::set<std::string> keys(const sdk::FakeHost& host) {
  std::set<std::string> out;
  for (const auto* r : recordsOf(host, "interaction")) out.insert(r->sourceKey);
  return out;
}

class EmailSourceImap : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("CRMSYNC_TEST_IMAP_PW", "secret", 1); }
};

TEST_F(EmailSourceImap, ReadsTheMailboxThenOnlyNewDeliveries) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  sdk::FakeHost host;
  auto first = testing::run(host, imapConfig(server, user));
  ASSERT_EQ(first.status, CRMSYNC_OK) << first.error;
  const auto interactions = recordsOf(host, "interaction");
  ASSERT_EQ(interactions.size(), 6u);
  EXPECT_TRUE(host.rejected().empty());
  for (const auto* r : interactions) {
    EXPECT_NE(r->origin.find(";UID="), std::string::npos) << r->origin;
    EXPECT_EQ(r->origin.find("secret"), std::string::npos);
    EXPECT_EQ(r->get("channel"), "email");
  }
  EXPECT_EQ(host.cursor(), "424242:6");

  // The same messages as .eml files give the same keys, the hashed one included.
  testing::TempDir dir;
  for (const auto& e : fs::directory_iterator(DovecotServer::messagesDir())) {
    fs::copy_file(e.path(), fs::path(dir.path()) / e.path().filename());
  }
  sdk::FakeHost files;
  ASSERT_EQ(testing::run(files, {{"path", dir.path()}, {"own_addresses", "[\"sales@example.com\"]"}}).status,
            CRMSYNC_OK);
  EXPECT_EQ(keys(files), keys(host));
  size_t hashed = 0;
  for (const auto& k : keys(host)) hashed += k.rfind("hash:", 0) == 0;
  EXPECT_EQ(hashed, 1u);

  host.clear();
  ASSERT_EQ(testing::run(host, imapConfig(server, user)).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());

  testing::TempDir staging;
  server.deliver(user, staging.write("new.eml", testing::simpleMessage("Cy <cy@client.cn>", "sales@example.com",
                                                                      "new order", "new@client.cn", "please ship")));
  host.clear();
  ASSERT_EQ(testing::run(host, imapConfig(server, user)).status, CRMSYNC_OK);
  EXPECT_EQ(keys(host), (std::set<std::string>{"new@client.cn"}));
  EXPECT_EQ(host.cursor(), "424242:7");
}

TEST_F(EmailSourceImap, WarnsAboutInsecureOnEveryRun) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  auto cfg = imapConfig(server, user);
  cfg["insecure"] = "true";
  sdk::FakeHost host;
  for (int run = 0; run < 2; ++run) {
    host.clear();
    ASSERT_EQ(testing::run(host, cfg).status, CRMSYNC_OK);
    bool warned = false;
    for (const auto& l : host.logs()) {
      warned = warned || (l.level == CRMSYNC_LOG_WARN && l.message.find("verification is off") != std::string::npos);
      EXPECT_EQ(l.message.find("secret"), std::string::npos) << l.message;
    }
    EXPECT_TRUE(warned) << "run " << run;
  }
}

TEST_F(EmailSourceImap, AWrongPasswordFailsTheRunWithoutShowingIt) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  ::setenv("CRMSYNC_TEST_IMAP_PW", "not-the-password", 1);
  sdk::FakeHost host;
  auto result = testing::run(host, imapConfig(server, user));
  EXPECT_NE(result.status, CRMSYNC_OK);
  EXPECT_EQ(result.error.find("not-the-password"), std::string::npos) << result.error;
  EXPECT_FALSE(host.cursor());
}

TEST(EmailSourceImapConfig, RejectsBadImapSettings) {
  sdk::FakeHost host;
  auto both = testing::run(host, {{"path", "/tmp/x.mbox"}, {"url", "imaps://mail.example.com/INBOX"}});
  EXPECT_EQ(both.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(both.error.find("'path' and 'url'"), std::string::npos) << both.error;
  auto scheme = testing::run(host, {{"url", "https://mail.example.com/"}, {"username", "u"}, {"password", "p"}});
  EXPECT_EQ(scheme.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(scheme.error.find("imaps://"), std::string::npos) << scheme.error;
  auto user = testing::run(host, {{"url", "imaps://mail.example.com/INBOX"}, {"password", "p"}});
  EXPECT_EQ(user.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(user.error.find("'username'"), std::string::npos) << user.error;
  auto secret = testing::run(host, {{"url", "imaps://mail.example.com/INBOX"}, {"username", "u"},
                                    {"password", "${env:CRMSYNC_TEST_SURELY_UNSET}"}});
  EXPECT_EQ(secret.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(secret.error.find("'password'"), std::string::npos) << secret.error;
}

}  // namespace
}  // namespace crmsync::email
