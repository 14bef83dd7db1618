// The email source through FakeHost and its C descriptor, on mailboxes written by Python's mailbox module:
// every mailbox kind, incremental runs, rewritten mboxes, quarantine and config errors.
#include "message.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

namespace crmsync::email {
namespace {

namespace fs = std::filesystem;
using testing::base64;
using testing::encodeAs;
using testing::jsonList;
using testing::recordsOf;
using testing::recordWithKey;
using testing::simpleMessage;

std::map<std::string, std::string> config(const std::string& path) {
  return {{"path", path}, {"own_domains", jsonList({"example.com"})}};
}

std::set<std::string> interactionKeys(const sdk::FakeHost& host) {
  std::set<std::string> keys;
  for (const auto* r : recordsOf(host, "interaction")) keys.insert(r->sourceKey);
  return keys;
}

bool logged(const sdk::FakeHost& host, const std::string& text) {
  for (const auto& l : host.logs()) {
    if (l.message.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string msg(int n, const std::string& from = "Bo <bo@client.cn>") {
  return simpleMessage(from, "sales@example.com", "offer " + std::to_string(n), "m" + std::to_string(n) + "@client.cn",
                       "message number " + std::to_string(n));
}

TEST(EmailSourceMbox, ReadsAnMboxWrittenByPython) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  const std::string gbName = "=?GB2312?B?" + base64(encodeAs("张三", "GB2312")) + "?=";
  testing::pythonMbox(box, {msg(1), simpleMessage(gbName + " <zhang@client.cn>", "sales@example.com", "hi", "zh@x",
                                                  "From the top of the list\nsecond line"),
                            simpleMessage("sales@example.com", "Bo <bo@client.cn>", "Re: offer 1", "r1@x", "ok")});
  // Python's mailbox.mbox quotes a body line starting with "From " as ">From " (and leaves ">From " as it is).
  ASSERT_NE(testing::readFile(box).find("\n>From the top of the list\n"), std::string::npos);
  sdk::FakeHost host;
  auto result = testing::run(host, config(box));
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn", "zh@x", "r1@x"}));
  const auto* zh = recordWithKey(host, "zh@x");
  ASSERT_NE(zh, nullptr);
  EXPECT_EQ(zh->get("party_name"), "张三");
  EXPECT_EQ(zh->get("summary"), "From the top of the list second line");  // Python wrote ">From the top"
  EXPECT_EQ(zh->origin, box + "@" + std::to_string(testing::readFile(box).find("From MAILER-DAEMON", 1)));
  EXPECT_EQ(recordWithKey(host, "m1@client.cn")->origin, box + "@0");
  EXPECT_EQ(recordWithKey(host, "r1@x")->get("direction"), "out");
  // Each external party once, before the interactions that name it.
  auto customers = recordsOf(host, "customer");
  ASSERT_EQ(customers.size(), 2u);
  EXPECT_EQ(customers[0]->sourceKey, "email:bo@client.cn");
  EXPECT_EQ(customers[0]->get("name"), "Bo");
  EXPECT_EQ(customers[0]->get("email"), "bo@client.cn");
  EXPECT_EQ(customers[1]->sourceKey, "email:zhang@client.cn");
  EXPECT_EQ(customers[1]->get("name"), "张三");
  EXPECT_LT(customers[0] - &host.records()[0], recordWithKey(host, "m1@client.cn") - &host.records()[0]);
  EXPECT_TRUE(host.rejected().empty());
}

TEST(EmailSourceMbox, ReadsTakeoutAndThunderbirdFromLines) {
  testing::TempDir dir;
  const std::string box = dir.file("takeout.mbox");
  testing::pythonMbox(box, {msg(1)}, "1826093417741123456@xxx Tue Mar 11 01:31:25 +0000 2025");
  testing::pythonMbox(box, {msg(2)}, "- Tue Mar 11 01:31:26 2025");
  ASSERT_EQ(testing::readFile(box).rfind("From 1826093417741123456@xxx Tue Mar 11 01:31:25 +0000 2025\n", 0), 0u);
  ASSERT_NE(testing::readFile(box).find("\n\nFrom - Tue Mar 11 01:31:26 2025\n"), std::string::npos);
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn", "m2@client.cn"}));
}

TEST(EmailSourceMbox, UnquotesMboxrdAndMboxoAsConfigured) {
  // Without a Message-ID the key hashes the body, so it tells which unquoting the reader applied.
  const std::string headers = "From: bo@client.cn\nSubject: q\nDate: Tue, 11 Mar 2025 01:31:25 +0000\n\n";
  testing::TempDir dir;
  const std::string box =
      dir.write("rd.mbox", "From bo@client.cn Tue Mar 11 01:31:25 2025\n" + headers + ">From one\n>>From two\n\n");
  const std::string rdKey = messageRecords(headers + "From one\n>From two\n", {}, "").key;
  const std::string oKey = messageRecords(headers + "From one\n>>From two\n", {}, "").key;
  ASSERT_NE(rdKey, oKey);
  sdk::FakeHost rd;
  ASSERT_EQ(testing::run(rd, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(rd), (std::set<std::string>{rdKey}));
  EXPECT_EQ(recordWithKey(rd, rdKey)->get("summary"), "From one");  // the quoted-looking line is trimmed
  sdk::FakeHost o;
  auto cfg = config(box);
  cfg["mbox_quoting"] = "mboxo";
  ASSERT_EQ(testing::run(o, cfg).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(o), (std::set<std::string>{oKey}));
}

TEST(EmailSourceMbox, ReadsOnlyWhatWasAppended) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  testing::pythonMbox(box, {msg(1), msg(2)});
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host).size(), 2u);
  ASSERT_TRUE(host.cursor());

  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty()) << "a run with nothing new emits nothing";

  testing::pythonMbox(box, {msg(3, "Cy <cy@other.cn>")});
  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m3@client.cn"}));
  ASSERT_EQ(recordsOf(host, "customer").size(), 1u);
  EXPECT_EQ(recordsOf(host, "customer")[0]->sourceKey, "email:cy@other.cn");
}

TEST(EmailSourceMbox, LeavesAMessageStillBeingWrittenForTheNextRun) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  testing::pythonMbox(box, {msg(1)});
  const std::string next = "From MAILER-DAEMON Tue Mar 11 01:31:25 2025\n" + msg(2);
  testing::appendFile(box, next.substr(0, next.size() / 2));
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn"}));
  testing::appendFile(box, next.substr(next.size() / 2));  // the body, but not yet the closing blank line
  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_TRUE(interactionKeys(host).empty());
  testing::appendFile(box, "\n");
  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m2@client.cn"}));
}

TEST(EmailSourceMbox, ReadsARewrittenMboxAgainFromTheStart) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  testing::pythonMbox(box, {msg(1), msg(2), msg(3)});
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  // A mail client compacts the mbox: message 1 deleted, the file rewritten shorter, then a new message arrives.
  std::string bytes = testing::readFile(box);
  size_t second = bytes.find("From MAILER-DAEMON", 1);
  testing::writeFile(box, bytes.substr(second));
  testing::pythonMbox(box, {msg(4)});
  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m2@client.cn", "m3@client.cn", "m4@client.cn"}));
  EXPECT_TRUE(logged(host, "rewritten or compacted"));
}

TEST(EmailSourceMbox, QuarantinesUnreadableMessagesAndReadsTheNext) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  testing::pythonMbox(box, {msg(1)});
  const size_t badAt = testing::readFile(box).size();
  testing::appendFile(box, "From MAILER-DAEMON Tue Mar 11 01:31:25 2025\nnot a header line at all\nmore text\n\n");
  const size_t truncatedAt = testing::readFile(box).size();
  testing::appendFile(box,
                      "From MAILER-DAEMON Tue Mar 11 01:31:25 2025\nFrom: bo@client.cn\nSubject: cut\n"
                      "Message-ID: <cut@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
                      "Content-Type: text/plain\n\nthe body was cut off here\n\n");
  testing::pythonMbox(box, {msg(2)});
  sdk::FakeHost host;
  auto result = testing::run(host, config(box));
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn", "m2@client.cn"}));
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_EQ(host.rejected()[0].origin, box + "@" + std::to_string(badAt));
  EXPECT_NE(host.rejected()[0].reason.find("not a readable RFC 5322 message"), std::string::npos)
      << host.rejected()[0].reason;
  EXPECT_EQ(host.rejected()[1].origin, box + "@" + std::to_string(truncatedAt));
  EXPECT_EQ(host.rejected()[1].sourceKey, "cut@x");
  EXPECT_NE(host.rejected()[1].reason.find("truncated"), std::string::npos) << host.rejected()[1].reason;
  ASSERT_TRUE(host.rejected()[1].raw);
  EXPECT_NE(host.rejected()[1].raw->find("the body was cut off"), std::string::npos);
}

TEST(EmailSourceMbox, ACancelledRunCommitsNothingAndTheNextReadsEverything) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  testing::pythonMbox(box, {msg(1), msg(2), msg(3)});
  sdk::FakeHost host;
  host.cancelAfterEmits(1);
  auto cfg = config(box);
  cfg["batch_size"] = "2";
  EXPECT_EQ(testing::run(host, cfg).status, CRMSYNC_ERR_CANCELLED);
  EXPECT_FALSE(host.cursor());
  host.clear();
  host.cancelAfterEmits(-1);
  ASSERT_EQ(testing::run(host, cfg).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host).size(), 3u);
}

TEST(EmailSourceMbox, ParsesOnThreadsAndEmitsInMailboxOrder) {
  testing::TempDir dir;
  const std::string box = dir.file("inbox.mbox");
  std::vector<std::string> messages;
  for (int i = 0; i < 150; ++i) messages.push_back(msg(i, "P" + std::to_string(i % 7) + " <p" + std::to_string(i % 7) + "@client.cn>"));
  messages[77] = "From MAILER-DAEMON\n";  // not a message: quarantined in its place
  testing::pythonMbox(box, messages);
  auto runWith = [&](const char* threads, sdk::FakeHost& host) {
    auto cfg = config(box);
    cfg["threads"] = threads;
    cfg["batch_size"] = "10";
    ASSERT_EQ(testing::run(host, cfg).status, CRMSYNC_OK);
  };
  sdk::FakeHost one, four;
  runWith("1", one);
  runWith("4", four);
  ASSERT_EQ(one.records().size(), four.records().size());
  for (size_t i = 0; i < one.records().size(); ++i) {
    EXPECT_EQ(one.records()[i].sourceKey, four.records()[i].sourceKey) << i;
    EXPECT_EQ(one.records()[i].origin, four.records()[i].origin) << i;
  }
  EXPECT_EQ(recordsOf(four, "interaction").size(), 149u);
  EXPECT_EQ(recordsOf(four, "customer").size(), 7u);
  ASSERT_EQ(four.rejected().size(), 1u);
  EXPECT_EQ(four.rejected()[0].origin, one.rejected()[0].origin);
  EXPECT_EQ(one.cursor(), four.cursor());
}

TEST(EmailSourceMbox, ReadsAnMboxLargerThanItsReadWindow) {
  // 16 MiB windows: messages cut at a window's end, and one message larger than a window, are read whole.
  testing::TempDir dir;
  const std::string box = dir.file("big.mbox");
  std::string bytes;
  std::vector<size_t> offsets;
  const std::string line(75, 'x');
  for (int i = 0; i < 4000; ++i) {
    offsets.push_back(bytes.size());
    std::string body;
    const int lines = i == 1500 ? 300000 : 40 + (i * 37) % 200;  // message 1500 is about 23 MB
    for (int l = 0; l < lines; ++l) body += line + "\n";
    bytes += "From MAILER-DAEMON Tue Mar 11 01:31:25 2025\n" + msg(i) + body + "\n";
  }
  testing::writeFile(box, bytes);
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  const auto interactions = recordsOf(host, "interaction");
  ASSERT_EQ(interactions.size(), 4000u);
  for (size_t i = 0; i < interactions.size(); ++i) {
    ASSERT_EQ(interactions[i]->sourceKey, "m" + std::to_string(i) + "@client.cn");
    ASSERT_EQ(interactions[i]->origin, box + "@" + std::to_string(offsets[i]));
  }
  EXPECT_TRUE(host.rejected().empty());
  testing::pythonMbox(box, {msg(5000)});
  host.clear();
  ASSERT_EQ(testing::run(host, config(box)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m5000@client.cn"}));
}

TEST(EmailSourceMaildir, ReadsNewDeliveriesOnly) {
  testing::TempDir dir;
  const std::string md = dir.file("Maildir");
  testing::pythonMaildir(md, {msg(1), msg(2)});
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(md)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn", "m2@client.cn"}));
  for (const auto* r : recordsOf(host, "interaction")) EXPECT_EQ(r->origin.rfind(md + "/new/", 0), 0u) << r->origin;

  // A mail client reads message 1: it moves to cur/ with flags, keeping its unique name and mtime.
  for (const auto& e : fs::directory_iterator(fs::path(md) / "new")) {
    if (testing::readFile(e.path().string()).find("m1@client.cn") != std::string::npos) {
      fs::rename(e.path(), fs::path(md) / "cur" / (e.path().filename().string() + ":2,S"));
    }
  }
  host.clear();
  ASSERT_EQ(testing::run(host, config(md)).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());

  testing::pythonMaildir(md, {msg(3)});
  host.clear();
  ASSERT_EQ(testing::run(host, config(md)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m3@client.cn"}));
}

TEST(EmailSourceMaildir, QuarantinesAnUnreadableFileByName) {
  testing::TempDir dir;
  const std::string md = dir.file("Maildir");
  testing::pythonMaildir(md, {msg(1), "just words, no headers\n"});
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(md)).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn"}));
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin.rfind(md + "/new/", 0), 0u);
}

TEST(EmailSourceEml, ReadsAFolderOfEmlFilesIncrementally) {
  testing::TempDir dir;
  dir.write("mail/a.eml", msg(1));
  dir.write("mail/sub/b.EML", msg(2));
  dir.write("mail/notes.txt", "not mail");
  sdk::FakeHost host;
  ASSERT_EQ(testing::run(host, config(dir.file("mail"))).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m1@client.cn", "m2@client.cn"}));
  EXPECT_EQ(recordWithKey(host, "m1@client.cn")->origin, dir.file("mail/a.eml"));
  host.clear();
  ASSERT_EQ(testing::run(host, config(dir.file("mail"))).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());
  dir.write("mail/c.eml", msg(3));
  host.clear();
  ASSERT_EQ(testing::run(host, config(dir.file("mail"))).status, CRMSYNC_OK);
  EXPECT_EQ(interactionKeys(host), (std::set<std::string>{"m3@client.cn"}));
}

TEST(EmailSourceConfig, RejectsBadSettingsWithTheKeyName) {
  sdk::FakeHost host;
  auto bad = testing::run(host, {{"path", "/tmp"}, {"format", "pst"}});
  EXPECT_EQ(bad.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(bad.error.find("config key 'format'"), std::string::npos) << bad.error;
  auto domain = testing::run(host, {{"path", "/tmp"}, {"own_domains", jsonList({"not a domain"})}});
  EXPECT_EQ(domain.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(domain.error.find("own_domains"), std::string::npos) << domain.error;
  auto address = testing::run(host, {{"path", "/tmp"}, {"own_addresses", jsonList({"sales"})}});
  EXPECT_EQ(address.status, CRMSYNC_ERR_CONFIG);
  auto chars = testing::run(host, {{"path", "/tmp"}, {"summary_chars", "0"}});
  EXPECT_EQ(chars.status, CRMSYNC_ERR_CONFIG);
  auto none = testing::run(host, {});
  EXPECT_EQ(none.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(none.error.find("'path'"), std::string::npos) << none.error;
  testing::TempDir dir;
  auto notMbox = testing::run(host, {{"path", dir.write("x.txt", "hello\n")}});
  EXPECT_EQ(notMbox.status, CRMSYNC_ERR_DATA);
  EXPECT_NE(notMbox.error.find("not an mbox"), std::string::npos) << notMbox.error;
  auto missing = testing::run(host, {{"path", dir.file("nope.mbox")}});
  EXPECT_EQ(missing.status, CRMSYNC_ERR_IO);
}

}  // namespace
}  // namespace crmsync::email
