// crmsync-gen-cdr: a deterministic Asterisk Master.csv of a call centre, for the CDR benchmark and the phone
// connector's end-to-end tests.
//
//   crmsync-gen-cdr --rows 1000000 [--seed 42] --out Master.csv
//
// 21 columns (loguniqueid, loguserfield, newcdrcolumns), local times of Asia/Shanghai. Extensions 2000-2199 and
// queue 600 are internal. Calls arrive every 1-5 s: 55 % inbound from a pool of 60,000 outside numbers
// (skewed: regular callers call often; 40 % with a caller-ID name), 38 % outbound, 7 % between extensions.
// An inbound call is 1 leg (not answered: NO ANSWER or BUSY), 2 legs (the queue, then the agent who answered)
// or 3 (a transfer to a second agent); an outbound call 1 leg or 2 (through a Local channel); legs share the
// linkedid of the first. Rows are written in the order the legs end, so concurrent calls interleave as they do
// in a real Master.csv. The file ends with the call whose legs reach N rows, so it may hold a row or two more.
//
// Prints, as one JSON object, what a load must find: rows, calls, interactions (calls with an outside party),
// internal calls, distinct outside numbers.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Rng {  // splitmix64: the same file on every machine
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
};

constexpr int64_t kStart = 1709251200;  // 2024-03-01 00:00:00 UTC
constexpr int64_t kShanghai = 8 * 3600;
constexpr size_t kCustomers = 60000;

const char* kSurnames[] = {"Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"};
const char* kGiven[] = {"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Jun", "Yan", "Tao"};
const char* kHan[] = {"张伟", "王芳", "李娜", "刘敏", "陈静", "杨磊", "黄强", "赵军", "吴艳", "周涛"};

// The local wall time Asterisk writes: "2024-03-01 08:00:00".
std::string localTime(int64_t utc) {
  int64_t t = utc + kShanghai;
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  // civil_from_days (H. Hinnant)
  days += 719468;
  int64_t era = days / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

struct Customer {
  std::string number;
  std::string name;  // caller-ID name, empty for most
};

std::vector<Customer> makeCustomers(Rng& rng) {
  std::vector<Customer> out;
  std::set<std::string> seen;
  while (out.size() < kCustomers) {
    char buf[24];
    if (rng.chance(80)) {
      static const char* prefixes[] = {"138", "139", "135", "136", "150", "151", "186", "187", "177", "199"};
      std::snprintf(buf, sizeof buf, "%s%08llu", prefixes[rng.below(10)], static_cast<unsigned long long>(rng.below(100000000)));
    } else {
      static const char* areas[] = {"010", "021", "020", "0755"};
      const char* area = areas[rng.below(4)];
      std::snprintf(buf, sizeof buf, "%s%08llu", area, static_cast<unsigned long long>(20000000 + rng.below(79999999)));
    }
    if (!seen.insert(buf).second) continue;
    Customer c;
    c.number = buf;
    if (rng.chance(40)) {
      c.name = rng.chance(50) ? std::string(kHan[rng.below(10)])
                              : std::string(kGiven[rng.below(10)]) + " " + kSurnames[rng.below(10)];
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

struct Row {
  int64_t end;
  uint64_t order;
  std::string text;
  bool operator>(const Row& o) const { return end != o.end ? end > o.end : order > o.order; }
};

struct Leg {
  std::string src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, disposition;
  int64_t start = 0, answer = -1, end = 0;
};

std::string rowText(const Leg& l, const std::string& uniqueid, const std::string& linkedid, int sequence) {
  std::string r;
  r.reserve(320);
  r += quoted("") + ',' + quoted(l.src) + ',' + quoted(l.dst) + ',' + quoted(l.dcontext) + ',' + quoted(l.clid) + ',' +
       quoted(l.channel) + ',' + quoted(l.dstchannel) + ',' + quoted(l.lastapp) + ',' + quoted(l.lastdata) + ',' +
       quoted(localTime(l.start)) + ',' + (l.answer >= 0 ? quoted(localTime(l.answer)) : std::string()) + ',' +
       quoted(localTime(l.end)) + ',' + std::to_string(l.end - l.start) + ',' +
       std::to_string(l.answer >= 0 ? l.end - l.answer : 0) + ',' + quoted(l.disposition) + ',' +
       quoted("DOCUMENTATION") + ',' + quoted(uniqueid) + ',' + quoted("") + ',' + quoted("") + ',' + quoted(linkedid) +
       ',' + std::to_string(sequence) + '\n';
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  long long rows = 0;
  uint64_t seed = 42;
  const char* out = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) rows = std::atoll(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else {
      std::fprintf(stderr, "usage: crmsync-gen-cdr --rows N [--seed S] --out FILE\n");
      return 2;
    }
  }
  if (rows <= 0 || !out) {
    std::fprintf(stderr, "usage: crmsync-gen-cdr --rows N [--seed S] --out FILE\n");
    return 2;
  }
  FILE* f = std::fopen(out, "wb");
  if (!f) {
    std::perror(out);
    return 1;
  }
  Rng rng{seed};
  std::vector<Customer> customers = makeCustomers(rng);
  std::priority_queue<Row, std::vector<Row>, std::greater<Row>> pending;
  long long written = 0, calls = 0, interactions = 0, internal = 0;
  std::vector<bool> called(kCustomers, false);
  long long distinct = 0;
  uint64_t order = 0, seq = 0, chan = 0;
  int64_t now = kStart;
  auto flushUntil = [&](int64_t t) {
    while (!pending.empty() && pending.top().end <= t) {
      std::fputs(pending.top().text.c_str(), f);
      pending.pop();
      ++written;
    }
  };
  auto hex = [&]() {
    char b[16];
    std::snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(++chan));
    return std::string(b);
  };
  long long queued = 0;
  while (queued < rows) {
    now += 1 + static_cast<int64_t>(rng.below(5));
    flushUntil(now);
    ++calls;
    std::vector<Leg> legs;
    int kind = static_cast<int>(rng.below(100));
    std::string ext = std::to_string(2000 + rng.below(200));
    if (kind < 55) {
      // Regular callers call often: the square of a uniform draw favours the start of the pool.
      double u = static_cast<double>(rng.below(1000000)) / 1e6;
      size_t ci = static_cast<size_t>(u * u * kCustomers);
      const Customer& c = customers[ci];
      if (!called[ci]) {
        called[ci] = true;
        ++distinct;
      }
      ++interactions;
      std::string clid = (c.name.empty() ? "\"" + c.number + "\"" : "\"" + c.name + "\"") + " <" + c.number + ">";
      Leg q;
      q.src = c.number;
      q.dst = "600";
      q.dcontext = "from-trunk";
      q.clid = clid;
      q.channel = "SIP/trunk-" + hex();
      q.dstchannel = "Local/600@from-queue-" + hex() + ";1";
      q.lastapp = "Queue";
      q.lastdata = "support,tT,,,300,,,,queue-answered";
      q.start = now;
      int shape = static_cast<int>(rng.below(100));
      int64_t wait = 5 + static_cast<int64_t>(rng.below(60));
      if (shape < 25) {
        q.end = now + wait;
        q.disposition = rng.chance(80) ? "NO ANSWER" : "BUSY";
        legs.push_back(q);
      } else {
        int64_t talk = 20 + static_cast<int64_t>(rng.below(600));
        q.answer = now + 1;
        q.end = now + wait + talk;
        q.disposition = "ANSWERED";
        Leg agent = q;
        agent.dst = ext;
        agent.dcontext = "from-queue";
        agent.channel = "Local/" + ext + "@from-queue-" + hex() + ";2";
        agent.dstchannel = "SIP/" + ext + "-" + hex();
        agent.lastapp = "Dial";
        agent.lastdata = "SIP/" + ext + ",,tT,M(auto-blkvm)";
        agent.start = now + 1;
        agent.answer = now + wait;
        agent.end = q.end;
        legs.push_back(agent);
        if (shape >= 85) {
          Leg second = agent;
          std::string ext2 = std::to_string(2000 + rng.below(200));
          second.dst = ext2;
          second.dstchannel = "SIP/" + ext2 + "-" + hex();
          second.lastdata = "SIP/" + ext2 + ",,tT";
          second.start = legs[0].end - talk / 2;
          second.answer = second.start + 3;
          legs[0].end = second.start;  // the first agent hung up after transferring
          legs.push_back(second);
        }
        legs.insert(legs.begin(), q);
      }
    } else if (kind < 93) {
      double u = static_cast<double>(rng.below(1000000)) / 1e6;
      size_t ci = static_cast<size_t>(u * u * kCustomers);
      if (!called[ci]) {
        called[ci] = true;
        ++distinct;
      }
      ++interactions;
      Leg o;
      o.src = ext;
      o.dst = customers[ci].number;
      o.dcontext = "from-internal";
      o.clid = "\"Agent " + ext + "\" <" + ext + ">";
      o.channel = "SIP/" + ext + "-" + hex();
      o.dstchannel = "SIP/trunk-" + hex();
      o.lastapp = "Dial";
      o.lastdata = "SIP/trunk/" + o.dst + ",60,tT";
      o.start = now;
      int r = static_cast<int>(rng.below(100));
      o.disposition = r < 65 ? "ANSWERED" : r < 85 ? "NO ANSWER" : r < 93 ? "BUSY" : r < 97 ? "FAILED" : "CONGESTION";
      if (o.disposition == "ANSWERED") {
        o.answer = now + 3 + static_cast<int64_t>(rng.below(20));
        o.end = o.answer + 10 + static_cast<int64_t>(rng.below(900));
      } else {
        o.end = now + 1 + static_cast<int64_t>(rng.below(40));
      }
      legs.push_back(o);
      if (rng.chance(15)) {
        Leg local = o;
        local.channel = "Local/" + o.dst + "@outbound-" + hex() + ";2";
        local.start = now + 1;
        legs.push_back(local);
      }
    } else {
      ++internal;
      Leg i;
      i.src = ext;
      i.dst = std::to_string(2000 + rng.below(200));
      i.dcontext = "from-internal";
      i.clid = "\"Agent " + ext + "\" <" + ext + ">";
      i.channel = "SIP/" + ext + "-" + hex();
      i.dstchannel = "SIP/" + i.dst + "-" + hex();
      i.lastapp = "Dial";
      i.lastdata = "SIP/" + i.dst + ",20,tT";
      i.start = now;
      i.answer = now + 2;
      i.end = now + 5 + static_cast<int64_t>(rng.below(200));
      i.disposition = "ANSWERED";
      legs.push_back(i);
    }
    std::string linkedid = std::to_string(now) + "." + std::to_string(seq);
    int sequence = 0;
    for (const Leg& l : legs) {
      std::string uniqueid = std::to_string(now) + "." + std::to_string(seq++);
      pending.push({l.end, order++, rowText(l, uniqueid, linkedid, sequence++)});
      ++queued;
    }
  }
  flushUntil(INT64_MAX);
  std::fclose(f);
  std::printf("{\"rows\": %lld, \"calls\": %lld, \"interactions\": %lld, \"internal_calls\": %lld, "
              "\"outside_numbers\": %lld}\n",
              written, calls, interactions, internal, distinct);
  return 0;
}
