#include "imap_mailbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "connectors/email_imap/dovecot_server.hpp"

namespace crmsync::email {
namespace {

namespace fs = std::filesystem;
using test::DovecotServer;
using ::testing::HasSubstr;
using ::testing::Not;

struct Fetched {
  std::string raw;
  std::string origin;
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> fixtureMessages() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(DovecotServer::messagesDir())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A user of its own for every test, named after it, so tests share the server but not a mailbox. Lower case:
// Dovecot lower-cases login names before looking them up.
std::string userFor() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->name()) + "@example.com";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// A server of its own for a test that stops it or changes its TLS setup: under /tmp, writable by any user.
fs::path privateServerDir(const std::string& what) {
  return fs::temp_directory_path() / ("crmsync-imaptest-" + what + "-" + std::to_string(::getpid()));
}

ImapOptions optionsFor(const DovecotServer& server, const std::string& user, const std::string& path = "INBOX") {
  ImapOptions o;
  o.url = server.url(path);
  o.username = user;
  o.password = "secret";
  o.connectTimeoutS = 5;
  o.timeoutS = 30;
  return o;
}

ImapReadResult readAll(ImapMailbox& mailbox, const std::optional<ImapCursor>& cursor, std::vector<Fetched>& out,
                       const std::function<void(size_t)>& after = {}) {
  return mailbox.read(
      cursor,
      [&](std::string_view raw, const std::string& origin) {
        out.push_back({std::string(raw), origin});
        if (after) after(out.size());
      },
      [] { return false; });
}

std::string origin(const DovecotServer& server, uint64_t validity, uint64_t uid, const std::string& box = "INBOX") {
  return "imap://127.0.0.1:" + std::to_string(server.port()) + "/" + box + ";UIDVALIDITY=" +
         std::to_string(validity) + "/;UID=" + std::to_string(uid);
}

size_t count(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) ++n;
  return n;
}

TEST(ImapCursor, TextRoundTrips) {
  ImapCursor c{424242, 17};
  EXPECT_EQ(c.text(), "424242:17");
  auto back = ImapCursor::parse(c.text());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->uidValidity, 424242u);
  EXPECT_EQ(back->lastUid, 17u);
  auto none = ImapCursor::parse("1795343262:0");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->lastUid, 0u);
}

TEST(ImapCursor, ParseRejectsMalformedText) {
  for (const char* bad : {"", "424242", "424242:", ":5", "0:5", "x:5", "424242:5:6", "424242:-1", " 424242:5",
                          "424242:5 ", "99999999999999999999999:1"})
    EXPECT_FALSE(ImapCursor::parse(bad)) << bad;
}

TEST(ImapMailbox, ReadsEveryMessageInUidOrderWithoutACursor) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  ImapReadResult result = readAll(mailbox, std::nullopt, got);

  auto files = fixtureMessages();
  ASSERT_EQ(got.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(got[i].raw, readFile(files[i])) << files[i];
    EXPECT_EQ(got[i].origin, origin(server, 424242, i + 1));
  }
  EXPECT_EQ(result.cursor.uidValidity, 424242u);
  EXPECT_EQ(result.cursor.lastUid, files.size());
  EXPECT_FALSE(result.fullReread);
  EXPECT_EQ(result.fetched, files.size());
}

TEST(ImapMailbox, OneConnectionOneSelectAndOneFetchPerMessage) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  readAll(mailbox, std::nullopt, got);
  auto sessions = server.clientCommands(user);
  ASSERT_EQ(sessions.size(), 1u) << "one connection for the whole read";
  const std::string& sent = sessions[0];
  EXPECT_EQ(count(sent, " SELECT "), 1u) << sent;
  EXPECT_EQ(count(sent, " STATUS \"INBOX\" (UIDVALIDITY UIDNEXT MESSAGES)"), 1u) << sent;
  EXPECT_EQ(count(sent, " UID SEARCH UID 1:*"), 1u) << sent;
  for (int uid = 1; uid <= 6; ++uid) EXPECT_EQ(count(sent, " UID FETCH " + std::to_string(uid) + " BODY[]"), 1u);
  EXPECT_THAT(sent, Not(HasSubstr("secret")));
}

// Maildir keeps flags in file names: ":2,S" is \Seen. Of the fixture messages only 04 was read before.
void expectOnlyMessage4Seen(const DovecotServer& server, const std::string& user) {
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(server.maildir(user) / "cur")) {
    std::string name = e.path().filename().string();
    std::string flags = name.substr(name.find(":2,") + 3);
    bool seen = flags.find('S') != std::string::npos;
    EXPECT_EQ(seen, name.find(".M4P1.") != std::string::npos) << name;
    ++files;
  }
  EXPECT_EQ(files, 6u);
}

TEST(ImapMailbox, LeavesSeenFlagsAsTheyWere) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  readAll(mailbox, std::nullopt, got);
  ASSERT_EQ(got.size(), 6u);
  expectOnlyMessage4Seen(server, user);
  // The fetches ran in a mailbox re-opened read-only after curl's own SELECT.
  auto sessions = server.clientCommands(user);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_LT(sessions[0].find(" SELECT "), sessions[0].find(" EXAMINE \"INBOX\""));
  EXPECT_LT(sessions[0].find(" EXAMINE "), sessions[0].find(" UID FETCH 1 BODY[]"));
}

TEST(ImapMailbox, MessagesAllSeenAlreadyAreFetchedWithoutReopeningTheMailbox) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  // Messages 5 and 6 read by the user in another client; 4 was read already.
  for (const auto& e : fs::directory_iterator(server.maildir(user) / "cur")) {
    std::string name = e.path().filename().string();
    if (name.find(".M5P1.") != std::string::npos || name.find(".M6P1.") != std::string::npos)
      fs::rename(e.path(), e.path().parent_path() / (name + "S"));
  }
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  ImapReadResult result = readAll(mailbox, ImapCursor{424242, 3}, got);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].origin, origin(server, 424242, 4));
  EXPECT_EQ(result.cursor.lastUid, 6u);
  auto sessions = server.clientCommands(user);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_THAT(sessions[0], Not(HasSubstr(" EXAMINE ")));
  size_t seen = 0;
  for (const auto& e : fs::directory_iterator(server.maildir(user) / "cur")) {
    std::string name = e.path().filename().string();
    seen += name.substr(name.find(":2,")).find('S') != std::string::npos;
  }
  EXPECT_EQ(seen, 3u);
}

TEST(ImapMailbox, NothingNewMeansNothingFetchedAndNoSelect) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  std::vector<Fetched> first;
  ImapReadResult r1;
  {
    ImapMailbox mailbox(optionsFor(server, user));
    r1 = readAll(mailbox, std::nullopt, first);
  }
  ASSERT_EQ(first.size(), 6u);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> second;
  ImapReadResult r2 = readAll(mailbox, r1.cursor, second);
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(r2.fetched, 0u);
  EXPECT_FALSE(r2.fullReread);
  EXPECT_EQ(r2.cursor.text(), r1.cursor.text());
  auto sessions = server.clientCommands(user);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_THAT(sessions[1], HasSubstr(" STATUS "));
  EXPECT_THAT(sessions[1], Not(HasSubstr(" SELECT ")));
  EXPECT_THAT(sessions[1], Not(HasSubstr(" FETCH ")));
}

TEST(ImapMailbox, ANewDeliveryAloneIsFetched) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  std::vector<Fetched> first;
  ImapMailbox mailbox(optionsFor(server, user));
  ImapReadResult r1 = readAll(mailbox, std::nullopt, first);
  ASSERT_EQ(r1.cursor.lastUid, 6u);

  fs::path message = server.dir() / (user + ".eml");
  std::ofstream(message, std::ios::binary) << "From: New Customer <new@example.org>\r\nTo: sales@example.com\r\n"
                                              "Subject: Hello\r\nMessage-ID: <new1@example.org>\r\n\r\nHi.\r\n";
  server.deliver(user, message);
  std::vector<Fetched> second;
  ImapReadResult r2 = readAll(mailbox, r1.cursor, second);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].raw, readFile(message));
  EXPECT_EQ(second[0].origin, origin(server, 424242, 7));
  EXPECT_EQ(r2.cursor.lastUid, 7u);
  EXPECT_EQ(r2.fetched, 1u);
  fs::remove(message);
}

TEST(ImapMailbox, AVanishedMessageIsReportedAndSkipped) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  // After the search listed UIDs 1..6, message 3's file disappears (another client expunged it).
  ImapReadResult result = readAll(mailbox, std::nullopt, got, [&](size_t n) {
    if (n != 1) return;
    for (const auto& e : fs::directory_iterator(server.maildir(user) / "cur"))
      if (e.path().filename().string().find(".M3P1.") != std::string::npos) fs::remove(e.path());
  });
  ASSERT_EQ(got.size(), 6u);
  EXPECT_TRUE(got[2].raw.empty()) << "UID 3 is reported with no content";
  EXPECT_EQ(got[2].origin, origin(server, 424242, 3));
  for (size_t i : {0u, 1u, 3u, 4u, 5u}) EXPECT_FALSE(got[i].raw.empty()) << i;
  EXPECT_EQ(result.fetched, 5u);
  EXPECT_EQ(result.cursor.lastUid, 6u);
}

TEST(ImapMailbox, AWrongPasswordIsAClearErrorWithoutThePassword) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapOptions o = optionsFor(server, user);
  o.password = "Wr0ng-Passw0rd";
  ImapMailbox mailbox(o);
  std::vector<Fetched> got;
  try {
    readAll(mailbox, std::nullopt, got);
    FAIL() << "a wrong password was accepted";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("imap://127.0.0.1:" + std::to_string(server.port()) + "/INBOX"));
    EXPECT_THAT(message, HasSubstr("curl error 67"));
    EXPECT_THAT(message, HasSubstr(user));
    EXPECT_THAT(message, Not(HasSubstr("Wr0ng-Passw0rd")));
  }
  EXPECT_TRUE(got.empty());
}

TEST(ImapMailbox, CredentialsInTheUrlAreRefusedWithoutEchoingThem) {
  ImapOptions o;
  o.url = "imap://sales:Top-S3cret@127.0.0.1:1/INBOX";
  try {
    ImapMailbox mailbox(o);
    FAIL() << "credentials in the URL were accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("imap://127.0.0.1:1/INBOX"));
    EXPECT_THAT(e.what(), HasSubstr("username and password"));
    EXPECT_THAT(e.what(), Not(HasSubstr("Top-S3cret")));
  }
}

TEST(ImapMailbox, OtherSchemesAndParametersAreRefused) {
  for (const char* url : {"http://127.0.0.1/INBOX", "imap://127.0.0.1/INBOX;UIDVALIDITY=5", "not a url"}) {
    ImapOptions o;
    o.url = url;
    EXPECT_THROW(ImapMailbox{o}, std::runtime_error) << url;
  }
}

TEST(ImapMailbox, AUidValidityChangeMeansAFullReread) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  std::vector<Fetched> first;
  ImapReadResult r1;
  {
    ImapMailbox mailbox(optionsFor(server, user));
    r1 = readAll(mailbox, std::nullopt, first);
  }
  server.renumber(user, 525252);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> second;
  ImapReadResult r2 = readAll(mailbox, r1.cursor, second);
  EXPECT_TRUE(r2.fullReread);
  EXPECT_EQ(r2.cursor.uidValidity, 525252u);
  EXPECT_EQ(r2.cursor.lastUid, 6u);
  ASSERT_EQ(second.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(second[i].raw, first[i].raw);
    EXPECT_EQ(second[i].origin, origin(server, 525252, i + 1));
  }
}

TEST(ImapMailbox, AUidValidityChangeDuringTheReadFailsCleanly) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  try {
    readAll(mailbox, std::nullopt, got, [&](size_t n) {
      if (n != 2) return;
      server.renumber(user, 626262);
      server.kick(user);
    });
    FAIL() << "the read went on under a new UIDVALIDITY";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("UIDVALIDITY changed from 424242 to 626262"));
    EXPECT_THAT(e.what(), HasSubstr(origin(server, 424242, 3)));
  }
  EXPECT_EQ(got.size(), 2u);
}

TEST(ImapMailbox, AConnectionLostMidReadIsRetried) {
  DovecotServer server(privateServerDir("retry"));
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  std::thread restarter;
  ImapReadResult result = readAll(mailbox, std::nullopt, got, [&](size_t n) {
    if (n != 2) return;
    server.halt();
    restarter = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      server.resume();
    });
  });
  restarter.join();
  ASSERT_EQ(got.size(), 6u);
  auto files = fixtureMessages();
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(got[i].raw, readFile(files[i])) << i;
  EXPECT_EQ(result.fetched, 6u);
  EXPECT_EQ(result.cursor.lastUid, 6u);
  // Message 3 came through the new connection's read-write SELECT, which set \Seen; it was cleared again.
  expectOnlyMessage4Seen(server, user);
}

TEST(ImapMailbox, AnUnreachableServerFailsAfterBoundedRetries) {
  ImapOptions o;
  int port = test::freeLoopbackPort();
  o.url = "imap://127.0.0.1:" + std::to_string(port) + "/INBOX";
  o.username = "sales@example.com";
  o.password = "secret";
  ImapMailbox mailbox(o);
  auto start = std::chrono::steady_clock::now();
  std::vector<Fetched> got;
  try {
    readAll(mailbox, std::nullopt, got);
    FAIL() << "read from a closed port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("imap://127.0.0.1:" + std::to_string(port) + "/INBOX"));
    EXPECT_THAT(e.what(), HasSubstr("after 4 attempts"));
    EXPECT_THAT(e.what(), HasSubstr("curl error 7)"));
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(3500));
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(ImapMailbox, CancellingStopsBetweenMessagesAndTheCursorSaysWhere) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  ImapMailbox mailbox(optionsFor(server, user));
  std::vector<Fetched> got;
  ImapReadResult r1 = mailbox.read(
      std::nullopt, [&](std::string_view raw, const std::string& o) { got.push_back({std::string(raw), o}); },
      [&] { return got.size() >= 2; });
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(r1.cursor.lastUid, 2u);
  std::vector<Fetched> rest;
  ImapReadResult r2 = readAll(mailbox, r1.cursor, rest);
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].origin, origin(server, 424242, 3));
  EXPECT_EQ(r2.cursor.lastUid, 6u);
}

TEST(ImapMailbox, MailboxNamesWithSpacesAndAccentsAreEscaped) {
  auto& server = DovecotServer::shared();
  std::string user = userFor();
  server.createUser(user);
  server.createFolder(user, "Clients été");
  // The same mailbox named in UTF-8 and in modified UTF-7, both percent-encoded in the URL.
  for (const char* path : {"Clients%20%C3%A9t%C3%A9", "Clients%20&AOk-t&AOk-"}) {
    ImapMailbox mailbox(optionsFor(server, user, path));
    std::vector<Fetched> got;
    ImapReadResult result = readAll(mailbox, std::nullopt, got);
    ASSERT_EQ(got.size(), 6u) << path;
    EXPECT_EQ(got[0].raw, readFile(fixtureMessages()[0]));
    EXPECT_NE(result.cursor.uidValidity, 0u);
    EXPECT_EQ(got[5].origin, origin(server, result.cursor.uidValidity, 6, "Clients%20%26AOk-t%26AOk-"));
  }
}

TEST(ImapMailbox, ImapsVerifiesTheServerCertificate) {
  DovecotServer server(privateServerDir("tls"), DovecotServer::Tls::Imaps);
  std::string user = userFor();
  server.createUser(user);
  {
    ImapMailbox mailbox(optionsFor(server, user));
    std::vector<Fetched> got;
    try {
      readAll(mailbox, std::nullopt, got);
      FAIL() << "a self-signed certificate was trusted";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("imaps://127.0.0.1:" + std::to_string(server.port()) + "/INBOX"));
      EXPECT_THAT(e.what(), HasSubstr("curl error 60"));
    }
  }
  {
    ImapOptions o = optionsFor(server, user);
    o.caBundle = server.caBundle().string();
    ImapMailbox mailbox(o);
    std::vector<Fetched> got;
    readAll(mailbox, std::nullopt, got);
    EXPECT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0].origin.rfind("imaps://127.0.0.1:", 0), 0u);
  }
  {
    ImapOptions o = optionsFor(server, user);
    o.insecure = true;
    ImapMailbox mailbox(o);
    std::vector<Fetched> got;
    readAll(mailbox, std::nullopt, got);
    EXPECT_EQ(got.size(), 6u);
  }
}

TEST(ImapMailbox, PlainImapUpgradesThroughStartTlsAndVerifiesTheCertificate) {
  DovecotServer server(privateServerDir("starttls"), DovecotServer::Tls::StartTls);
  std::string user = userFor();
  server.createUser(user);
  {
    ImapMailbox mailbox(optionsFor(server, user));
    std::vector<Fetched> got;
    try {
      readAll(mailbox, std::nullopt, got);
      FAIL() << "STARTTLS with a self-signed certificate was trusted";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("curl error 60"));
    }
  }
  ImapOptions o = optionsFor(server, user);
  o.caBundle = server.caBundle().string();
  ImapMailbox mailbox(o);
  std::vector<Fetched> got;
  readAll(mailbox, std::nullopt, got);
  EXPECT_EQ(got.size(), 6u);
  // Dovecot's login line says how the session was protected.
  std::string log = readFile(server.dir() / "dovecot.log");
  size_t login = log.find("Login: user=<" + user + ">");
  ASSERT_NE(login, std::string::npos) << log;
  EXPECT_THAT(log.substr(login, log.find('\n', login) - login), HasSubstr(", TLS"));
}

}  // namespace
}  // namespace crmsync::email
