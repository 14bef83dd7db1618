// The email plugin in IMAP mode through sdk::FakeHost against the loopback Dovecot: the records of the fixture
// messages (names and subjects in GB2312 and UTF-8 encoded words, split words, threads, a message without a
// Message-ID), a UIDVALIDITY change between runs, and a message the server cannot deliver.
#include <crmsync/sdk/fake_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "connectors/email_imap/dovecot_server.hpp"

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t host_abi_major, uint16_t host_abi_minor);

namespace crmsync::email {
namespace {

namespace fs = std::filesystem;
using sdk::EmittedRecord;
using sdk::FakeHost;
using test::DovecotServer;
using ::testing::HasSubstr;

std::string userFor() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("plugin") + info->name() + "@example.com";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::map<std::string, std::string> config(const DovecotServer& server, const std::string& user) {
  return {{"url", server.url()},      {"username", user},   {"password", "${env:CRMSYNC_IMAP_TEST_PASSWORD}"},
          {"connect_timeout_s", "5"}, {"timeout_s", "30"}, {"own_addresses", "[\"sales@example.com\"]"}};
}

FakeHost::Result run(FakeHost& host, const DovecotServer& server, const std::string& user) {
  host.setSecret("${env:CRMSYNC_IMAP_TEST_PASSWORD}", "secret");
  return host.runSource(crmsync_plugin_entry, config(server, user));
}

std::map<std::string, const EmittedRecord*> interactions(const FakeHost& host) {
  std::map<std::string, const EmittedRecord*> out;
  for (const auto& r : host.records())
    if (r.entity == "interaction") out[r.sourceKey] = &r;
  return out;
}

std::string origin(const DovecotServer& server, uint64_t validity, uint64_t uid) {
  return "imap://127.0.0.1:" + std::to_string(server.port()) + "/INBOX;UIDVALIDITY=" + std::to_string(validity) +
         "/;UID=" + std::to_string(uid);
}

TEST(EmailPluginImap, RecordsOfTheFixtureMailbox) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  FakeHost host;
  auto result = run(host, server, user);
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_TRUE(host.rejected().empty());
  EXPECT_EQ(host.cursor(), "424242:6");

  auto byKey = interactions(host);
  ASSERT_EQ(byKey.size(), 6u);
  const EmittedRecord* m1 = byKey["m1.zhangsan@example.cn"];
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->origin, origin(server, 424242, 1));
  EXPECT_EQ(m1->get("channel"), "email");
  EXPECT_EQ(m1->get("direction"), "in");
  EXPECT_EQ(m1->get("party_email"), "zhangsan@example.cn");
  EXPECT_EQ(m1->get("party_name"), "张三");  // =?GB2312?B?...?=
  EXPECT_EQ(m1->get("subject"), "询价");
  EXPECT_EQ(m1->get("occurred_at"), "2024-05-06T01:15:00Z");
  EXPECT_THAT(m1->get("summary").value_or(""), HasSubstr("产品价格"));  // GB2312 base64 body

  const EmittedRecord* m2 = byKey["m2.lisi@example.org"];
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->get("party_name"), "李四");  // =?UTF-8?B?...?=

  const EmittedRecord* m3 = byKey["m3.sales@example.com"];
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->get("direction"), "out");
  EXPECT_EQ(m3->get("party_email"), "lisi@example.org");
  EXPECT_EQ(m3->get("thread_key"), "m2.lisi@example.org");
  EXPECT_EQ(m3->get("in_reply_to"), "m2.lisi@example.org");

  const EmittedRecord* m4 = byKey["m4.wangwu@example.net"];
  ASSERT_TRUE(m4);
  EXPECT_EQ(m4->get("party_name"), "王五");   // one UTF-8 character split across two encoded words
  EXPECT_EQ(m4->get("subject"), "报价单");    // a GB2312 character split across folded words
  EXPECT_EQ(m4->origin, origin(server, 424242, 4));

  const EmittedRecord* m6 = byKey["m6.zhangsan@example.cn"];
  ASSERT_TRUE(m6);
  EXPECT_EQ(m6->get("thread_key"), "m1.zhangsan@example.cn");  // the first of References
  EXPECT_EQ(m6->get("subject"), "回复: 询价");

  size_t hashed = 0;
  for (const auto& [key, r] : byKey) {
    if (key.rfind("hash:", 0) != 0) continue;
    ++hashed;
    EXPECT_EQ(r->get("party_email"), "anna@example.de");
    EXPECT_FALSE(r->has("message_id"));
    EXPECT_EQ(r->origin, origin(server, 424242, 5));
  }
  EXPECT_EQ(hashed, 1u);

  // Each external party once, before the first interaction that names it.
  std::map<std::string, size_t> customerAt;
  for (size_t i = 0; i < host.records().size(); ++i) {
    const auto& r = host.records()[i];
    if (r.entity == "customer") {
      EXPECT_TRUE(customerAt.emplace(r.sourceKey, i).second) << "customer twice: " << r.sourceKey;
    } else if (auto email = r.get("party_email")) {
      auto it = customerAt.find("email:" + *email);
      ASSERT_NE(it, customerAt.end()) << "no customer before " << r.sourceKey;
      EXPECT_LT(it->second, i);
    }
  }
  ASSERT_TRUE(customerAt.count("email:zhangsan@example.cn"));
  for (const auto& r : host.records()) {
    if (r.entity == "customer" && r.sourceKey == "email:zhangsan@example.cn") {
      EXPECT_EQ(r.get("name"), "张三");
    }
  }
  EXPECT_FALSE(customerAt.count("email:sales@example.com"));
  for (const auto& l : host.logs()) EXPECT_THAT(l.message, ::testing::Not(HasSubstr("secret")));
}

TEST(EmailPluginImap, AUidValidityChangeRereadsEverythingUnderTheSameKeys) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  FakeHost host;
  ASSERT_EQ(run(host, server, user).status, CRMSYNC_OK);
  auto first = interactions(host);
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(host.cursor(), "424242:6");

  server.renumber(user, 525252);
  host.clear();
  auto second = run(host, server, user);
  ASSERT_EQ(second.status, CRMSYNC_OK) << second.error;
  EXPECT_EQ(host.cursor(), "525252:6");
  auto again = interactions(host);
  size_t emitted = 0;
  for (const auto& r : host.records()) emitted += r.entity == "interaction";
  EXPECT_EQ(emitted, 6u) << "each message once";
  std::set<std::string> keysBefore, keysAfter;
  for (const auto& [k, r] : first) keysBefore.insert(k);
  for (const auto& [k, r] : again) keysAfter.insert(k);
  EXPECT_EQ(keysAfter, keysBefore);
  for (const auto& [k, r] : again) EXPECT_THAT(r->origin, HasSubstr(";UIDVALIDITY=525252/"));
  bool told = false;
  for (const auto& l : host.logs()) told = told || l.message.find("UIDVALIDITY") != std::string::npos;
  EXPECT_TRUE(told);

  host.clear();
  ASSERT_EQ(run(host, server, user).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());
  EXPECT_EQ(host.cursor(), "525252:6");

  // A delivery after that is read alone, under the new UIDVALIDITY.
  fs::path message = server.dir() / (user + ".eml");
  std::ofstream(message, std::ios::binary) << "From: =?UTF-8?B?6ZmI6Z2Z?= <chenjing@example.cn>\r\n"
                                              "To: sales@example.com\r\nSubject: Sample\r\n"
                                              "Date: Sat, 11 May 2024 10:00:00 +0800\r\n"
                                              "Message-ID: <m7.chenjing@example.cn>\r\n\r\nPlease send a sample.\r\n";
  server.deliver(user, message);
  fs::remove(message);
  host.clear();
  ASSERT_EQ(run(host, server, user).status, CRMSYNC_OK);
  auto fresh = interactions(host);
  ASSERT_EQ(fresh.size(), 1u);
  ASSERT_TRUE(fresh.count("m7.chenjing@example.cn"));
  EXPECT_EQ(fresh["m7.chenjing@example.cn"]->get("party_name"), "陈静");
  EXPECT_EQ(fresh["m7.chenjing@example.cn"]->origin, origin(server, 525252, 7));
  EXPECT_EQ(host.cursor(), "525252:7");
}

TEST(EmailPluginImap, AMessageTheServerCannotDeliverIsQuarantinedAndTheRestLoad) {
  auto& server = DovecotServer::shared();
  const std::string user = userFor();
  server.createUser(user);
  // Message 3's file cannot be opened by the server (as root too: it reads as the mail user).
  fs::path unreadable;
  for (const auto& e : fs::directory_iterator(server.maildir(user) / "cur"))
    if (e.path().filename().string().find(".M3P1.") != std::string::npos) unreadable = e.path();
  ASSERT_FALSE(unreadable.empty());
  ASSERT_EQ(::chmod(unreadable.c_str(), 0), 0);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(unreadable.c_str(), 0, 0), 0);
  }

  FakeHost host;
  auto result = run(host, server, user);
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(interactions(host).size(), 5u);
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, origin(server, 424242, 3));
  EXPECT_NE(host.rejected()[0].reason.find("did not deliver"), std::string::npos) << host.rejected()[0].reason;
  EXPECT_EQ(host.cursor(), "424242:6");
}

}  // namespace
}  // namespace crmsync::email
