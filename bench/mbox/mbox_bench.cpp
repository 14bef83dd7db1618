// crmsync-mbox-bench: generates a deterministic mbox (realistic messages: English and Chinese, UTF-8 and
// GB2312, encoded words, quoted-printable and base64 bodies, multipart/alternative with HTML, attachments,
// replies, messages without Message-ID, ">From " quoted body lines), then measures
//   - the email source reading it: the plugin's real path (mbox splitting, GMime parse, records built) through
//     its C descriptor into a host that counts what it is given, in a child process so its peak RSS is its own;
//   - Python's mailbox module reading the same file as an integrator would (python_mailbox.py);
// and prints MB/s, messages/s, peak RSS and the ratio, then one JSON line with the same figures.
//
//   crmsync-mbox-bench [--mb 1024] [--seed 42] [--out /tmp/crmsync-bench.mbox] [--no-python] [--keep] [--reuse]
// --keep leaves the generated file in place; --reuse reads an existing --out file instead of generating one.
#include "gen_common.hpp"

#include <crmsync/plugin_abi.h>

#include <glib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t host_abi_major, uint16_t host_abi_minor);

namespace {

using crmsync::gen::Rng;

constexpr std::array<const char*, 40> kWords{
    "order",    "invoice", "shipment", "price",   "quote",     "delivery", "contract", "meeting",  "sample",
    "payment",  "please",  "confirm",  "attached", "regards",  "thanks",   "schedule", "product",  "warehouse",
    "discount", "volume",  "the",      "we",      "can",       "next",     "week",     "update",   "status",
    "customer", "support", "issue",    "resolved", "received", "tracking", "number",   "revised",  "terms",
    "offer",    "friday",  "monday",   "container"};
constexpr std::array<const char*, 24> kCnWords{"订单", "发票", "报价", "发货", "合同", "会议", "样品", "付款",
                                               "请",   "确认", "附件", "谢谢", "产品", "仓库", "折扣", "数量",
                                               "我们", "下周", "更新", "客户", "支持", "问题", "已经", "收到"};
constexpr std::array<const char*, 6> kZones{"+0800", "+0000", "-0500", "+0100", "+0800 (CST)", "GMT"};
constexpr std::array<const char*, 7> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string b64(std::string_view s) {
  gchar* e = g_base64_encode(reinterpret_cast<const guchar*>(s.data()), s.size());
  std::string out(e);
  g_free(e);
  return out;
}

std::string wrap76(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i += 76) out.append(s, i, 76).append("\n");
  return out;
}

std::string gb2312(const std::string& utf8) {
  gsize written = 0;
  gchar* out = g_convert(utf8.data(), static_cast<gssize>(utf8.size()), "GB2312", "UTF-8", nullptr, &written, nullptr);
  std::string s = out ? std::string(out, written) : utf8;
  g_free(out);
  return s;
}

std::string qp(const std::string& text) {
  std::string out;
  size_t col = 0;
  for (unsigned char c : text) {
    std::string piece;
    if (c == '\n') {
      out += '\n';
      col = 0;
      continue;
    }
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ') {
      piece = static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "=%02X", c);
      piece = buf;
    }
    if (col + piece.size() > 75) {
      out += "=\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  }
  return out;
}

std::string englishText(Rng& r, size_t bytes) {
  std::string s;
  while (s.size() < bytes) {
    size_t words = 6 + r.below(10);
    for (size_t i = 0; i < words; ++i) s.append(i ? " " : "").append(r.pick(kWords));
    s += r.chance(100) ? ".\n\n" : ".\n";
    if (r.chance(20)) s += "From the warehouse we shipped it today.\n";  // quoted as >From in the mbox
  }
  return s;
}

std::string chineseText(Rng& r, size_t bytes) {
  std::string s;
  while (s.size() < bytes) {
    size_t words = 5 + r.below(8);
    for (size_t i = 0; i < words; ++i) s += r.pick(kCnWords);
    s += "。\n";
  }
  return s;
}

struct Person {
  std::string name;  // UTF-8
  std::string addr;
  bool chinese = false;
};

Person person(Rng& r, bool customer) {
  Person p;
  if (r.chance(450)) {
    const auto& f = r.pick(crmsync::gen::kCnFamily);
    const auto& g = r.pick(crmsync::gen::kCnGiven);
    p.name = std::string(f.han) + g.han;
    p.addr = std::string(g.pinyin) + "." + f.pinyin + std::to_string(r.below(100)) + "@" + r.pick(crmsync::gen::kCnMail);
    p.chinese = true;
  } else {
    const auto& f = r.pick(crmsync::gen::kEnFirst);
    const auto& l = r.pick(crmsync::gen::kEnLast);
    p.name = std::string(f.name) + " " + l.name;
    p.addr = std::string(f.ascii) + "." + l.ascii + "@" + r.pick(crmsync::gen::kBrand).ascii + ".com";
  }
  for (char& c : p.addr) c = static_cast<char>(g_ascii_tolower(c));
  if (!customer) p.addr = p.addr.substr(0, p.addr.find('@')) + "@example.com";
  return p;
}

std::string address(Rng& r, const Person& p) {
  if (!p.chinese) return (r.chance(300) ? "\"" + p.name + "\"" : p.name) + " <" + p.addr + ">";
  if (r.chance(500)) return "=?UTF-8?B?" + b64(p.name) + "?= <" + p.addr + ">";
  return "\"=?GB2312?B?" + b64(gb2312(p.name)) + "?=\" <" + p.addr + ">";  // Foxmail style, quoted
}

std::string message(uint64_t seed, uint64_t index, std::string& fromLine) {
  Rng r(seed, index);
  const bool outbound = r.chance(350);
  Person us = person(r, false);
  Person them = person(r, true);
  const Person& from = outbound ? us : them;
  const Person& to = outbound ? them : us;
  const int day = 1 + static_cast<int>(r.below(28));
  const int month = static_cast<int>(r.below(12));
  const int hour = static_cast<int>(r.below(24));
  const int minute = static_cast<int>(r.below(60));
  const int second = static_cast<int>(r.below(60));
  char date[96];
  const char* zone = r.pick(kZones);
  if (r.chance(100)) {
    std::snprintf(date, sizeof date, "%d %s 2025 %02d:%02d:%02d %s", day, kMonths[month], hour, minute, second, zone);
  } else {
    std::snprintf(date, sizeof date, "%s, %d %s 2025 %02d:%02d:%02d %s", kDays[(day + month) % 7], day,
                  kMonths[month], hour, minute, second, zone);
  }
  char separator[160];
  std::snprintf(separator, sizeof separator, "From %s %s %s %2d %02d:%02d:%02d 2025\n", from.addr.c_str(),
                kDays[(day + month) % 7], kMonths[month], day, hour, minute, second);
  fromLine = separator;

  const bool reply = r.chance(300);
  std::string subjectText = them.chinese ? std::string(r.pick(kCnWords)) + r.pick(kCnWords) + " " +
                                               std::to_string(10000 + r.below(90000))
                                         : std::string(r.pick(kWords)) + " " + r.pick(kWords) + " #" +
                                               std::to_string(10000 + r.below(90000));
  if (reply) subjectText = (them.chinese && r.chance(500) ? "回复: " : "Re: ") + subjectText;
  std::string m = "Return-Path: <" + from.addr + ">\nReceived: from mx" + std::to_string(r.below(9)) +
                  ".example.net by mail.example.com with ESMTPS; " + date + "\n";
  m += "From: " + address(r, from) + "\nTo: " + address(r, to) + "\n";
  if (r.chance(200)) m += "Cc: " + address(r, person(r, true)) + ",\n " + address(r, person(r, false)) + "\n";
  if (!them.chinese) {
    m += "Subject: " + subjectText + "\n";
  } else if (r.chance(500)) {
    m += "Subject: =?UTF-8?B?" + b64(subjectText) + "?=\n";
  } else {
    m += "Subject: =?GB2312?B?" + b64(gb2312(subjectText)) + "?=\n";
  }
  m += std::string("Date: ") + date + "\n";
  if (!r.chance(50)) m += "Message-ID: <" + std::to_string(seed) + "." + std::to_string(index) + "@mail.example.com>\n";
  if (reply) {
    std::string parent = "<" + std::to_string(seed) + "." + std::to_string(index / 2) + "@mail.example.com>";
    m += "In-Reply-To: " + parent + "\nReferences: <" + std::to_string(seed) + ".0@mail.example.com>\n " + parent + "\n";
  }
  m += "MIME-Version: 1.0\nX-Mailer: bench\n";

  const size_t textBytes = 400 + r.below(3600);
  std::string text = them.chinese ? chineseText(r, textBytes) : englishText(r, textBytes);
  if (reply) text += "\nOn " + std::string(date) + ", " + to.name + " wrote:\n> earlier text\n> more of it\n";
  const bool gb = them.chinese && r.chance(500);
  const std::string charset = gb ? "gb2312" : "utf-8";
  const std::string encodedText = gb ? gb2312(text) : text;
  const uint32_t kind = r.below(100);
  const std::string boundary = "=_b" + std::to_string(index);
  if (kind < 40) {
    if (them.chinese) {
      m += "Content-Type: text/plain; charset=" + charset + "\nContent-Transfer-Encoding: base64\n\n" + wrap76(b64(encodedText));
    } else {
      m += "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n" + text;
    }
  } else if (kind < 75) {
    std::string html = "<html><head><style>p{margin:0}</style></head><body><p>" + text + "</p></body></html>\n";
    m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\n\n--" + boundary +
         "\nContent-Type: text/plain; charset=" + charset + "\nContent-Transfer-Encoding: quoted-printable\n\n" +
         qp(encodedText) + "\n--" + boundary + "\nContent-Type: text/html; charset=" + charset +
         "\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(gb ? gb2312(html) : html) + "\n--" + boundary + "--\n";
  } else if (kind < 88) {
    std::string blob(8000 + r.below(56000), '\0');
    for (size_t i = 0; i < blob.size(); i += 8) {
      uint64_t v = r.next();
      std::memcpy(&blob[i], &v, std::min<size_t>(8, blob.size() - i));
    }
    m += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n\n--" + boundary +
         "\nContent-Type: text/plain; charset=" + charset + "\nContent-Transfer-Encoding: base64\n\n" +
         wrap76(b64(encodedText)) + "--" + boundary +
         "\nContent-Type: application/pdf; name=\"quote.pdf\"\nContent-Disposition: attachment; "
         "filename=\"quote.pdf\"\nContent-Transfer-Encoding: base64\n\n" +
         wrap76(b64(blob)) + "--" + boundary + "--\n";
  } else {
    std::string html = "<html><body><div>" + text + "</div><table><tr><td>" + r.pick(kWords) +
                       "</td></tr></table></body></html>\n";
    m += "Content-Type: text/html; charset=" + charset + "\nContent-Transfer-Encoding: quoted-printable\n\n" +
         qp(gb ? gb2312(html) : html);
  }
  return m;
}

// Writes the mbox the way mail tools do: From_ line, body lines starting with "From " quoted, a blank line after.
uint64_t generate(const std::string& path, uint64_t bytes, uint64_t seed) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(2);
  }
  std::string buf;
  uint64_t written = 0;
  uint64_t n = 0;
  std::string fromLine;
  while (written < bytes) {
    std::string m = message(seed, n++, fromLine);
    buf += fromLine;
    size_t at = 0;
    while (at < m.size()) {
      size_t nl = m.find('\n', at);
      size_t end = nl == std::string::npos ? m.size() : nl + 1;
      if (m.compare(at, 5, "From ") == 0) buf += '>';
      buf.append(m, at, end - at);
      at = end;
    }
    buf += '\n';
    if (buf.size() > (4u << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      written += buf.size();
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  written += buf.size();
  std::fclose(f);
  return n;
}

struct Counts {
  uint64_t records = 0;
  uint64_t interactions = 0;
  uint64_t rejected = 0;
  uint64_t fieldBytes = 0;
};
Counts counts;

crmsync_status emitCount(crmsync_host_ctx*, const crmsync_record* records, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    ++counts.records;
    if (std::strcmp(records[i].entity, "interaction") == 0) ++counts.interactions;
    for (size_t f = 0; f < records[i].field_count; ++f) {
      if (records[i].fields[f].value) counts.fieldBytes += std::strlen(records[i].fields[f].value);
    }
  }
  return CRMSYNC_OK;
}
crmsync_status rejectCount(crmsync_host_ctx*, const crmsync_rejected*) {
  ++counts.rejected;
  return CRMSYNC_OK;
}
const char* noCursor(crmsync_host_ctx*) { return nullptr; }
crmsync_status keepCursor(crmsync_host_ctx*, const char*) { return CRMSYNC_OK; }
void quietLog(crmsync_host_ctx*, int32_t, const char*) {}
crmsync_status noSecret(crmsync_host_ctx*, const char*, char*, size_t, size_t*) { return CRMSYNC_ERR_CONFIG; }
int32_t notCancelled(crmsync_host_ctx*) { return 0; }

struct Measured {
  double seconds = 0;
  double cpuSeconds = 0;  // user + system time of the child
  double peakRssMb = 0;
  std::string output;
  bool ok = false;
};

// Runs fn in a child process; its stdout comes back through a pipe, its peak RSS through wait4.
template <typename Fn>
Measured inChild(Fn&& fn) {
  int fds[2];
  if (::pipe(fds) != 0) std::exit(2);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDOUT_FILENO);
    int rc = fn();
    std::fflush(stdout);
    ::_exit(rc);
  }
  ::close(fds[1]);
  Measured m;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) m.output.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.peakRssMb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  m.cpuSeconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return m;
}

int runPlugin(const std::string& path) {
  crmsync_host_api api{};
  api.struct_size = sizeof api;
  api.abi_major = CRMSYNC_ABI_MAJOR;
  api.abi_minor = CRMSYNC_ABI_MINOR;
  api.emit = &emitCount;
  api.reject = &rejectCount;
  api.get_cursor = &noCursor;
  api.set_cursor = &keepCursor;
  api.log = &quietLog;
  api.get_secret = &noSecret;
  api.is_cancelled = &notCancelled;
  const crmsync_plugin_descriptor* d = crmsync_plugin_entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  std::vector<crmsync_config_entry> config;
  for (size_t i = 0; i < d->config_key_count; ++i) {
    if (d->config_keys[i].default_value) config.push_back({d->config_keys[i].name, d->config_keys[i].default_value});
  }
  const std::string domains = "[\"example.com\"]";
  const char* threads = std::getenv("CRMSYNC_MBOX_BENCH_THREADS");
  for (auto& e : config) {
    if (std::strcmp(e.name, "own_domains") == 0) e.value = domains.c_str();
  }
  config.push_back({"path", path.c_str()});
  if (threads) config.push_back({"threads", threads});
  void* instance = nullptr;
  auto* ctx = reinterpret_cast<crmsync_host_ctx*>(&api);
  auto start = std::chrono::steady_clock::now();
  if (d->open(&api, ctx, config.data(), config.size(), &instance) != CRMSYNC_OK) {
    std::fprintf(stderr, "open: %s\n", d->last_error(nullptr));
    return 1;
  }
  if (d->read(instance) != CRMSYNC_OK) {
    std::fprintf(stderr, "read: %s\n", d->last_error(instance));
    return 1;
  }
  d->close(instance);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"seconds\": %.3f, \"records\": %llu, \"interactions\": %llu, \"rejected\": %llu}\n", s,
              static_cast<unsigned long long>(counts.records), static_cast<unsigned long long>(counts.interactions),
              static_cast<unsigned long long>(counts.rejected));
  return 0;
}

double jsonNumber(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t mb = 1024;
  uint64_t seed = 42;
  std::string out = "/tmp/crmsync-bench.mbox";
  bool python = true;
  bool keep = false;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mb" && i + 1 < argc) mb = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--no-python") python = false;
    else if (a == "--keep") keep = true;
    else if (a == "--reuse") reuse = keep = true;
    else {
      std::fprintf(stderr, "usage: %s [--mb N] [--seed N] [--out PATH] [--no-python] [--keep] [--reuse]\n", argv[0]);
      return 2;
    }
  }
  auto g0 = std::chrono::steady_clock::now();
  uint64_t messages = 0;
  if (!reuse || ::access(out.c_str(), R_OK) != 0) messages = generate(out, mb << 20, seed);
  double genSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  FILE* f = std::fopen(out.c_str(), "rb");
  std::fseek(f, 0, SEEK_END);
  const double sizeMb = static_cast<double>(std::ftell(f)) / (1 << 20);
  std::fclose(f);
  std::printf("generated %s: %.1f MB, %llu messages in %.1f s (seed %llu)\n", out.c_str(), sizeMb,
              static_cast<unsigned long long>(messages), genSeconds, static_cast<unsigned long long>(seed));

  Measured ours = inChild([&] { return runPlugin(out); });
  if (!ours.ok) {
    std::fprintf(stderr, "the email source failed\n");
    return 1;
  }
  const double oursSeconds = jsonNumber(ours.output, "seconds");
  const double interactions = jsonNumber(ours.output, "interactions");
  std::printf("crmsync email source: %.2f s (%.2f s CPU), %.1f MB/s, %.0f messages/s, %.0f interactions, %.0f records, "
              "%.0f quarantined, peak RSS %.1f MB\n",
              oursSeconds, ours.cpuSeconds, sizeMb / oursSeconds, interactions / oursSeconds, interactions,
              jsonNumber(ours.output, "records"), jsonNumber(ours.output, "rejected"), ours.peakRssMb);
  double pySeconds = -1, pyRss = -1, pyMessages = -1, pyCpu = -1;
  if (python) {
    Measured py = inChild([&] {
      ::execl(CRMSYNC_MBOX_BENCH_PYTHON, CRMSYNC_MBOX_BENCH_PYTHON, CRMSYNC_MBOX_BENCH_PEER, out.c_str(),
              static_cast<char*>(nullptr));
      return 127;
    });
    if (!py.ok) {
      std::fprintf(stderr, "the Python peer failed\n");
      return 1;
    }
    pySeconds = jsonNumber(py.output, "seconds");
    pyMessages = jsonNumber(py.output, "messages");
    pyRss = py.peakRssMb;
    pyCpu = py.cpuSeconds;
    std::printf("python mailbox:       %.2f s (%.2f s CPU), %.1f MB/s, %.0f messages/s, %.0f messages, peak RSS %.1f MB\n",
                pySeconds, pyCpu, sizeMb / pySeconds, pyMessages / pySeconds, pyMessages, pyRss);
    std::printf("ratio (python time / crmsync time): %.1fx wall, %.1fx CPU\n", pySeconds / oursSeconds,
                pyCpu / ours.cpuSeconds);
  }
  std::printf("{\"mbox_mb\": %.1f, \"messages\": %llu, \"crmsync_s\": %.3f, \"crmsync_mb_s\": %.1f, "
              "\"crmsync_peak_rss_mb\": %.1f, \"python_s\": %.3f, \"python_mb_s\": %.1f, \"python_peak_rss_mb\": %.1f, "
              "\"ratio\": %.2f, \"crmsync_cpu_s\": %.3f, \"python_cpu_s\": %.3f, \"cpu_ratio\": %.2f}\n",
              sizeMb, static_cast<unsigned long long>(messages), oursSeconds, sizeMb / oursSeconds, ours.peakRssMb,
              pySeconds, python ? sizeMb / pySeconds : -1.0, pyRss, python ? pySeconds / oursSeconds : -1.0,
              ours.cpuSeconds, pyCpu, python ? pyCpu / ours.cpuSeconds : -1.0);
  if (!keep) std::remove(out.c_str());
  return 0;
}
