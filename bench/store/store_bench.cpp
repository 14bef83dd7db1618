// Upsert throughput of the store alone: generated customer records (about 18 fields, 0-3 contact points
// each) through Store::beginRun / upsert / commit, as the pipeline's load stage calls them.
//
//   crmsync-store-bench [--records N] [--batch B] [--url URL] [--seed S] [--profile contacts|wide]
//
// Profiles: contacts (default) is what the load benchmark's generated CSV becomes after mapping: about ten
// fields (the columns of bench/gen plus name and kind) and two or three contact points; wide has about 18
// fields, all customer columns plus two the schema does not know.
//
// Three passes over the same keys: a first load into an empty database, a re-read with nothing changed, and
// a re-read with 10 % of the records changed. Prints one line per pass and, last, a JSON object.
#include <unistd.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "crmsync/store/store.hpp"

namespace {

using crmsync::Record;

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const char* kGiven[] = {"Anna", "Bjørn", "Chloé", "David", "Emma", "Frank", "Grete", "Hiro", "Ines", "Jürgen",
                        "Karin", "Lars", "Mia", "Noah", "Olga", "Pål", "伟", "芳", "Zoë", "Liam"};
const char* kFamily[] = {"Hansen", "Johansen", "O'Brien", "Müller", "Smith-Jones", "Berg", "Dahl", "张", "王", "Lee",
                         "García", "Nilsen", "von Weizsäcker", "Kowalski", "Rossi", "Tanaka"};
const char* kCity[] = {"Oslo", "Bergen", "Berlin", "München", "London", "Leeds", "上海", "北京", "New York", "Austin"};
const char* kCountry[] = {"NO", "NO", "DE", "DE", "GB", "GB", "CN", "CN", "US", "US"};
const char* kLifecycle[] = {"potential", "existing", "existing", "lost"};

Record makeContact(uint64_t i, uint64_t seed, int variant) {
  uint64_t s = seed * 1000003 + i;
  auto pick = [&](auto& arr) { return arr[splitmix(s) % (sizeof(arr) / sizeof(arr[0]))]; };
  auto chance = [&](int pct) { return static_cast<int>(splitmix(s) % 100) < pct; };
  Record r;
  r.entity = "customer";
  r.sourceKey = std::to_string(100000 + i);
  r.origin = "contacts.csv:" + std::to_string(i + 2);
  std::string given = pick(kGiven), family = pick(kFamily);
  size_t c = splitmix(s) % 10;
  r.fields.reserve(11);
  r.fields.push_back({"kind", std::string("person")});
  r.fields.push_back({"name", given + " " + family});
  r.fields.push_back({"given_name", given});
  r.fields.push_back({"family_name", family});
  r.fields.push_back({"company", chance(60) ? std::optional<std::string>("Nordic Widgets AS") : std::nullopt});
  r.fields.push_back({"email", chance(95) ? std::optional<std::string>("user" + std::to_string(i) + "@example.com")
                                           : std::nullopt});
  r.fields.push_back({"phone", chance(85) ? std::optional<std::string>("+4722" + std::to_string(100000 + i % 900000))
                                           : std::nullopt});
  r.fields.push_back({"mobile", chance(60) ? std::optional<std::string>("+479" + std::to_string(1000000 + i % 9000000))
                                            : std::nullopt});
  r.fields.push_back({"city", std::string(kCity[c])});
  r.fields.push_back({"country", std::string(kCountry[c])});
  if (variant > 0) r.fields[8].value = std::string(kCity[(c + variant) % 10]);
  return r;
}

Record makeCustomer(uint64_t i, uint64_t seed, int variant) {
  uint64_t s = seed * 1000003 + i;
  auto pick = [&](auto& arr) { return arr[splitmix(s) % (sizeof(arr) / sizeof(arr[0]))]; };
  auto chance = [&](int pct) { return static_cast<int>(splitmix(s) % 100) < pct; };
  Record r;
  r.entity = "customer";
  r.sourceKey = "C" + std::to_string(100000000 + i);
  r.origin = "contacts.csv:" + std::to_string(i + 2);
  r.updatedAt = "2026-11-0" + std::to_string(1 + variant) + "T08:00:00Z";
  std::string given = pick(kGiven), family = pick(kFamily);
  size_t c = splitmix(s) % 10;
  r.fields.reserve(20);
  r.fields.push_back({"kind", std::string("person")});
  r.fields.push_back({"name", given + " " + family});
  r.fields.push_back({"given_name", given});
  r.fields.push_back({"family_name", family});
  r.fields.push_back({"company", chance(30) ? std::optional<std::string>("Nordic Widgets AS") : std::nullopt});
  r.fields.push_back({"title", chance(30) ? std::optional<std::string>("Head of Purchasing") : std::nullopt});
  if (chance(90)) r.fields.push_back({"email", "user" + std::to_string(i) + "@example.com"});
  if (chance(70)) r.fields.push_back({"phone", "+4722" + std::to_string(100000 + i % 900000)});
  if (chance(40)) r.fields.push_back({"mobile", "+479" + std::to_string(1000000 + i % 9000000)});
  r.fields.push_back({"address", std::to_string(1 + i % 200) + " Storgata"});
  r.fields.push_back({"city", std::string(kCity[c])});
  r.fields.push_back({"country", std::string(kCountry[c])});
  r.fields.push_back({"postcode", std::to_string(1000 + i % 9000)});
  if (chance(50)) r.fields.push_back({"birth_date", "19" + std::to_string(50 + i % 50) + "-0" + std::to_string(1 + i % 9) + "-15"});
  r.fields.push_back({"lifecycle", std::string(pick(kLifecycle))});
  if (chance(20)) r.fields.push_back({"tags", std::string("vip,newsletter")});
  r.fields.push_back({"crm_owner", "rep" + std::to_string(i % 50)});
  r.fields.push_back({"source_score", std::to_string(i % 100)});
  if (variant > 0) r.fields.push_back({"note", "changed in pass " + std::to_string(variant)});
  return r;
}

// User + system CPU time of this process: on a shared machine it says what the pass costs even when the wall
// clock includes waiting for a core.
double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct PassResult {
  double seconds = 0;
  double cpu = 0;
  double commitSeconds = 0;
  crmsync::store::UpsertCounts counts;
};

std::vector<std::vector<Record>> split(const std::vector<Record>& records, size_t batch) {
  std::vector<std::vector<Record>> out;
  for (size_t i = 0; i < records.size(); i += batch) {
    out.emplace_back(records.begin() + static_cast<std::ptrdiff_t>(i),
                     records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), i + batch)));
  }
  return out;
}

PassResult runPass(crmsync::store::Store& store, const std::vector<std::vector<Record>>& batches, size_t records) {
  PassResult out;
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpuSeconds();
  auto tx = store.beginRun("bench");
  if (!tx.isOk()) {
    std::fprintf(stderr, "beginRun: %s\n", tx.status().toString().c_str());
    std::exit(1);
  }
  for (const auto& chunk : batches) {
    auto c = (*tx)->upsert("contacts", chunk);
    if (!c.isOk()) {
      std::fprintf(stderr, "upsert: %s\n", c.status().toString().c_str());
      std::exit(1);
    }
    out.counts.inserted += c->inserted;
    out.counts.updated += c->updated;
    out.counts.unchanged += c->unchanged;
  }
  auto n = static_cast<int64_t>(records);
  auto tc = std::chrono::steady_clock::now();
  if (auto st = (*tx)->commit(n, n, 0, "{}"); !st.isOk()) {
    std::fprintf(stderr, "commit: %s\n", st.toString().c_str());
    std::exit(1);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.commitSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tc).count();
  out.cpu = cpuSeconds() - c0;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t records = 200000;
  size_t batch = 5000;
  uint64_t seed = 42;
  std::string url;
  std::string profile = "contacts";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--records") {
      records = std::stoul(next());
    } else if (a == "--batch") {
      batch = std::stoul(next());
    } else if (a == "--url") {
      url = next();
    } else if (a == "--profile") {
      profile = next();
      if (profile != "contacts" && profile != "wide") {
        std::fprintf(stderr, "--profile is contacts or wide\n");
        return 2;
      }
    } else if (a == "--seed") {
      seed = std::stoull(next());
    } else {
      std::fprintf(stderr, "usage: %s [--records N] [--batch B] [--url URL] [--seed S] [--profile contacts|wide]\n", argv[0]);
      return 2;
    }
  }
  std::filesystem::path tmp;
  if (url.empty()) {
    tmp = std::filesystem::temp_directory_path() / ("crmsync-store-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(tmp);
    url = (tmp / "bench.db").string();
  }

  std::vector<Record> first, changed;
  first.reserve(records);
  auto make = profile == "wide" ? makeCustomer : makeContact;
  for (size_t i = 0; i < records; ++i) first.push_back(make(i, seed, 0));
  changed = first;
  for (size_t i = 0; i < records; i += 10) changed[i] = make(i, seed, 1);

  auto store = crmsync::store::Store::open(url);
  if (!store.isOk()) {
    std::fprintf(stderr, "open: %s\n", store.status().toString().c_str());
    return 1;
  }
  const auto firstBatches = split(first, batch);
  const auto changedBatches = split(changed, batch);
  auto load = runPass(**store, firstBatches, records);
  auto points = (*store)->countRows("contact_point");
  auto reread = runPass(**store, firstBatches, records);
  auto update = runPass(**store, changedBatches, records);

  auto rate = [](size_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
  std::printf("backend %s, %zu customer records (%s), batches of %zu, %lld contact points\n",
              (*store)->backend().c_str(), records, profile.c_str(), batch, static_cast<long long>(points.isOk() ? *points : -1));
  auto line = [&](const char* what, const PassResult& p, const char* counted, int64_t n) {
    std::printf("%-18s wall %7.3f s = %9.0f records/s   cpu %7.3f s = %9.0f records/s   (%s %lld; commit %.3f s)\n",
                what, p.seconds, rate(records, p.seconds), p.cpu, rate(records, p.cpu), counted,
                static_cast<long long>(n), p.commitSeconds);
  };
  line("first load", load, "inserted", load.counts.inserted);
  line("unchanged re-read", reread, "unchanged", reread.counts.unchanged);
  line("10% changed", update, "updated", update.counts.updated);
  std::printf(
      "{\"backend\":\"%s\",\"profile\":\"%s\",\"records\":%zu,\"batch\":%zu,\"first_load_s\":%.3f,\"first_load_cpu_s\":%.3f,"
      "\"first_load_rps\":%.0f,\"first_load_cpu_rps\":%.0f,\"unchanged_s\":%.3f,\"unchanged_rps\":%.0f,"
      "\"changed10_s\":%.3f,\"changed10_rps\":%.0f}\n",
      (*store)->backend().c_str(), profile.c_str(), records, batch, load.seconds, load.cpu, rate(records, load.seconds),
      rate(records, load.cpu), reread.seconds, rate(records, reread.seconds), update.seconds,
      rate(records, update.seconds));
  store->reset();
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}
