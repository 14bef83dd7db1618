// imap_bench: messages per second of an IMAP sync through ImapMailbox against a local Dovecot. Generates a
// Maildir of N messages (deterministic), starts Dovecot on a free loopback port through the test fixture script,
// reads the mailbox without a cursor twice (the first read also makes Dovecot build its index), then delivers M
// new messages and reads with the stored cursor. Prints the figures and, as the last line, one JSON object.
//
//   build/bin/imap_bench [--messages 10000] [--new 100] [--dir /tmp/crmsync-imap-bench]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/email_imap/dovecot_server.hpp"
#include "imap_mailbox.hpp"

#ifdef CRMSYNC_IMAP_BENCH_PLUGIN
#include <crmsync/sdk/fake_host.hpp>
extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t host_abi_major, uint16_t host_abi_minor);
#endif

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// splitmix64: the same seed gives the same mailbox on any machine.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

const char* const kFirst[] = {"Anna", "Lukas", "Marie", "James", "Olivia", "Wei", "Jürgen", "Zoë", "Sean", "Fatima"};
const char* const kLast[] = {"Schmidt", "Müller", "Smith", "O'Brien", "Zhang", "Wang", "Dubois", "Rossi", "Khan"};
// Names as Chinese mail clients send them: RFC 2047 words in GB2312 (张三, 李四, 王芳) and UTF-8 (刘洋, 陈静).
const char* const kEncodedNames[] = {"=?GB2312?B?1cXI/Q==?=", "=?GB2312?B?wO7LxA==?=", "=?GB2312?B?zfW3vA==?=",
                                     "=?UTF-8?B?5YiY5rSL?=", "=?UTF-8?B?6ZmI6Z2Z?="};
const char* const kDomains[] = {"example.org", "example.net", "example.cn", "example.de", "example.co.uk"};
const char* const kSubjects[] = {"Quote for order", "Delivery date", "Invoice question", "Meeting next week",
                                 "Price list 2024", "Complaint about shipment", "Catalogue request",
                                 "=?UTF-8?B?5oql5Lu35Y2V?=", "=?GB2312?B?0a+82w==?="};
const char* const kWords[] = {"order", "delivery", "price", "thank", "you", "please", "send", "the", "invoice",
                              "we", "would", "like", "to", "confirm", "shipment", "next", "week", "regards",
                              "quantity", "discount", "payment", "terms", "contract", "sample", "catalogue"};
const char* const kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string paragraph(Rng& rng, size_t words) {
  std::string out;
  size_t column = 0;
  for (size_t i = 0; i < words; ++i) {
    const char* w = kWords[rng.below(std::size(kWords))];
    if (column + std::strlen(w) > 72) {
      out += "\r\n";
      column = 0;
    } else if (i) {
      out += ' ';
      ++column;
    }
    out += w;
    column += std::strlen(w);
  }
  return out + ".\r\n";
}

// One realistic message: mostly text/plain, one in four multipart/alternative with HTML, a third of them
// replies with In-Reply-To and References, names in Latin script or as encoded words. About 1.5 to 4 KB.
std::string message(uint64_t seed, size_t index) {
  Rng rng{seed * 1000003 + index};
  std::string name;
  std::string local;
  if (rng.below(3) == 0) {
    name = kEncodedNames[rng.below(std::size(kEncodedNames))];
    local = "kehu" + std::to_string(rng.below(5000));
  } else {
    std::string first = kFirst[rng.below(std::size(kFirst))];
    std::string last = kLast[rng.below(std::size(kLast))];
    name = "\"" + first + " " + last + "\"";
    local = "c" + std::to_string(rng.below(5000));
  }
  std::string from = local + "@" + kDomains[rng.below(std::size(kDomains))];
  int day = 1 + static_cast<int>(rng.below(28));
  std::string date = std::string(kDays[rng.below(7)]) + ", " + std::to_string(day) + " " + kMonths[rng.below(12)] +
                     " 2024 " + std::to_string(10 + rng.below(10)) + ":" + std::to_string(10 + rng.below(50)) +
                     ":00 +0" + std::to_string(rng.below(9)) + "00";
  std::string id = "<bench." + std::to_string(seed) + "." + std::to_string(index) + "@" + "mail.example.org>";
  std::string m;
  m += "Return-Path: <" + from + ">\r\n";
  m += "Received: from mail.example.org (mail.example.org [192.0.2.7])\r\n\tby mx.example.com with ESMTPS id " +
       std::to_string(rng.next() % 100000000) + "\r\n\tfor <sales@example.com>; " + date + "\r\n";
  m += "From: " + name + " <" + from + ">\r\n";
  m += "To: Sales <sales@example.com>\r\n";
  if (rng.below(4) == 0) m += "Cc: support@example.com\r\n";
  std::string subject = kSubjects[rng.below(std::size(kSubjects))];
  bool reply = rng.below(3) == 0;
  m += std::string("Subject: ") + (reply ? "Re: " : "") + subject + "\r\n";
  m += "Date: " + date + "\r\n";
  m += "Message-ID: " + id + "\r\n";
  if (reply && index > 0) {
    std::string parent = "<bench." + std::to_string(seed) + "." + std::to_string(rng.below(index)) +
                         "@mail.example.org>";
    m += "In-Reply-To: " + parent + "\r\nReferences: " + parent + "\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  std::string text;
  for (size_t p = 0, n = 2 + rng.below(5); p < n; ++p) text += paragraph(rng, 30 + rng.below(60)) + "\r\n";
  if (rng.below(4) == 0) {
    std::string boundary = "=_b" + std::to_string(index);
    m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    m += "--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text;
    m += "--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<html><body><p>" + text +
         "</p></body></html>\r\n";
    m += "--" + boundary + "--\r\n";
  } else {
    m += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text;
  }
  return m;
}

// Files the server's mail processes read must belong to them: nobody when we run as root.
void ownForMail(const fs::path& path) {
  if (::geteuid() == 0 && ::chown(path.c_str(), 65534, 65534) != 0)
    throw std::runtime_error("chown " + path.string() + ": " + std::strerror(errno));
}

void writeMessage(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << text;
  ownForMail(file);
}

struct Timing {
  double seconds = 0;
  double firstMessage = -1;  // seconds until the first message arrived: login, STATUS, SELECT, searches
  uint64_t messages = 0;
  uint64_t bytes = 0;
  // Per message once the first has arrived: the fetch loop alone.
  double usPerFetch() const {
    return messages > 1 && firstMessage >= 0 ? (seconds - firstMessage) * 1e6 / static_cast<double>(messages - 1) : 0;
  }
  double perSecond() const { return seconds > 0 ? static_cast<double>(messages) / seconds : 0; }
  double usPerMessage() const { return messages ? seconds * 1e6 / static_cast<double>(messages) : 0; }
};

// Dovecot re-scans a Maildir whose directories changed in the last couple of seconds on every open, however
// fresh its index (a guard against same-second renames); a mailbox polled minutes apart is past that window.
// Each measured read therefore starts with the Maildir settled, as a scheduled sync finds it.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); }

Timing timedRead(const crmsync::email::ImapOptions& options, const std::optional<crmsync::email::ImapCursor>& cursor,
                 crmsync::email::ImapReadResult& result) {
  settle();
  Timing t;
  auto start = Clock::now();
  crmsync::email::ImapMailbox mailbox(options);
  result = mailbox.read(
      cursor,
      [&](std::string_view raw, const std::string&) {
        if (t.messages == 0) t.firstMessage = std::chrono::duration<double>(Clock::now() - start).count();
        ++t.messages;
        t.bytes += raw.size();
      },
      [] { return false; });
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return t;
}

void print(const char* what, const Timing& t) {
  std::printf("%-52s %6llu messages %8.3f s %9.0f messages/s %8.1f us/message", what,
              static_cast<unsigned long long>(t.messages), t.seconds, t.perSecond(), t.usPerMessage());
  if (t.firstMessage >= 0)
    std::printf("  (first message after %.0f ms, then %.0f us/message)", t.firstMessage * 1e3, t.usPerFetch());
  std::printf("\n");
}

std::string json(const Timing& t) {
  char buf[384];
  std::snprintf(buf, sizeof buf,
                "{\"messages\": %llu, \"seconds\": %.4f, \"messages_per_s\": %.1f, \"us_per_message\": %.2f, "
                "\"first_message_s\": %.4f, \"us_per_fetch\": %.2f}",
                static_cast<unsigned long long>(t.messages), t.seconds, t.perSecond(), t.usPerMessage(),
                t.firstMessage, t.usPerFetch());
  return buf;
}

// Python's imaplib against the same server: one command per message, and one command for all of them.
bool imaplibPeer(int port, const std::string& user, Timing& perMessage, Timing& oneCommand) {
  const char* python = "/usr/bin/python3";
  if (::access(python, X_OK) != 0) return false;
  settle();
  std::string command = std::string(python) + " " + CRMSYNC_SOURCE_DIR + "/bench/imap/imaplib_peer.py " +
                        std::to_string(port) + " '" + user + "' secret";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return false;
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("imaplib peer failed: " + command);
  auto j = nlohmann::json::parse(out);
  auto fill = [](const nlohmann::json& o, Timing& t) {
    t.messages = o.at("messages").get<uint64_t>();
    t.seconds = o.at("seconds").get<double>();
    t.bytes = o.at("bytes").get<uint64_t>();
  };
  fill(j.at("per_message"), perMessage);
  fill(j.at("one_command"), oneCommand);
  return true;
}

#ifdef CRMSYNC_IMAP_BENCH_PLUGIN
// The whole plugin path: the email source in IMAP mode through FakeHost, records built for every message.
Timing pluginRead(crmsync::sdk::FakeHost& host, const crmsync::test::DovecotServer& server, const std::string& user) {
  settle();
  Timing t;
  auto start = Clock::now();
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "imap"},
                                                      {"url", server.url()},
                                                      {"username", user},
                                                      {"password", "secret"},
                                                      {"own_addresses", "[\"sales@example.com\"]"}});
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (result.status != CRMSYNC_OK) throw std::runtime_error("email plugin failed: " + result.error);
  for (const auto& r : host.records())
    if (r.entity == "interaction") ++t.messages;
  return t;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  size_t count = 10000;
  size_t fresh = 100;
  bool seen = false;
  fs::path dir = fs::temp_directory_path() / "crmsync-imap-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--messages" && i + 1 < argc)
      count = std::stoul(argv[++i]);
    else if (a == "--new" && i + 1 < argc)
      fresh = std::stoul(argv[++i]);
    else if (a == "--seen")
      seen = true;
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--messages N] [--new M] [--seen] [--dir DIR]\n", argv[0]);
      return 2;
    }
  }
  try {
    crmsync::test::DovecotServer server(dir);
    const std::string user = "bench@example.com";
    server.createUser(user);
    fs::path cur = server.maildir(user) / "cur";
    for (const auto& e : fs::directory_iterator(cur)) fs::remove(e.path());
    auto genStart = Clock::now();
    uint64_t bytes = 0;
    for (size_t i = 0; i < count; ++i) {
      std::string text = message(42, i);
      bytes += text.size();
      char name[64];
      std::snprintf(name, sizeof name, "%010zu.M%zuP1.bench:2,%s", 1700000000 + i, i, seen ? "S" : "");
      writeMessage(cur, name, text);
    }
    std::printf("generated %zu messages (%.1f MB) in %.2f s; Dovecot on 127.0.0.1:%d\n", count,
                static_cast<double>(bytes) / 1e6,
                std::chrono::duration<double>(Clock::now() - genStart).count(), server.port());

    crmsync::email::ImapOptions options;
    options.url = server.url();
    options.username = user;
    options.password = "secret";
    crmsync::email::ImapReadResult result;
    Timing cold = timedRead(options, std::nullopt, result);
    print("first sync, Dovecot builds its index meanwhile", cold);
    Timing warm = timedRead(options, std::nullopt, result);
    print("first sync (no cursor), server index built", warm);
    Timing peerEach, peerAll;
    std::string peerJson;
    if (imaplibPeer(server.port(), user, peerEach, peerAll)) {
      print("peer: imaplib, UID FETCH BODY.PEEK[] per message", peerEach);
      print("peer: imaplib, one UID FETCH 1:* for all (floor)", peerAll);
      peerJson = ", \"imaplib_per_message\": " + json(peerEach) + ", \"imaplib_one_command\": " + json(peerAll);
    }
    Timing none = timedRead(options, result.cursor, result);
    print("incremental sync, nothing new", none);

    fs::path fresher = server.maildir(user) / "new";
    for (size_t i = 0; i < fresh; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%010zu.M%zuP2.bench", 1800000000 + i, i);
      writeMessage(fresher, name, message(43, i));
    }
    Timing incremental = timedRead(options, result.cursor, result);
    print(("incremental sync, " + std::to_string(fresh) + " new").c_str(), incremental);
    if (incremental.messages != fresh) throw std::runtime_error("the incremental sync did not fetch just the new ones");

    std::string pluginJson;
#ifdef CRMSYNC_IMAP_BENCH_PLUGIN
    {
      crmsync::sdk::FakeHost host;
      Timing full = pluginRead(host, server, user);
      print("plugin path (records built), first sync", full);
      auto cursor = host.cursor();
      for (size_t i = 0; i < fresh; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "%010zu.M%zuP3.bench", 1900000000 + i, i);
        writeMessage(fresher, name, message(44, i));
      }
      crmsync::sdk::FakeHost again;
      if (cursor) again.setCursor(*cursor);
      Timing inc = pluginRead(again, server, user);
      print(("plugin path (records built), " + std::to_string(fresh) + " new").c_str(), inc);
      pluginJson = ", \"plugin_first_sync\": " + json(full) + ", \"plugin_incremental\": " + json(inc);
    }
#endif
    struct rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak RSS %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    std::printf("{\"first_sync_cold\": %s, \"first_sync\": %s, \"nothing_new\": %s, \"incremental\": %s%s%s}\n",
                json(cold).c_str(), json(warm).c_str(), json(none).c_str(), json(incremental).c_str(),
                peerJson.c_str(), pluginJson.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "imap_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
