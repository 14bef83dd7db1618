#include "crmsync/match/resolver.hpp"

#include <fmt/format.h>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "crmsync/match/clustering.hpp"
#include "crmsync/store/store.hpp"
#include "match/survivorship.hpp"
#include "store/batch_statement.hpp"
#include "store/database_url.hpp"
#include "store/payload_reader.hpp"
#include "store/sql_error.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::match {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

MatchRecord matchRecordFromPayload(int64_t id, int32_t group, const std::string& payload, const FieldSet& fields) {
  MatchRecord r;
  r.id = id;
  r.group = group;
  r.values.resize(fields.size());
  // Incremental matching reads a payload per candidate: no JSON tree per payload. One reader per thread, for
  // the field set it was last asked for.
  thread_local std::unique_ptr<store::PayloadReader> reader;
  if (!reader || reader->names() != fields.names()) reader = std::make_unique<store::PayloadReader>(fields.names());
  reader->read(payload);
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& v = reader->value(i);
    if (v && !v->empty()) r.values[i] = std::string(*v);
  }
  return r;
}

namespace {

// One piece of work on a thread of its own; wait() joins it and rethrows what it threw (a database error is
// then reported as if it had happened on the calling thread). Joined when destroyed, so an early return cannot
// leave it running.
class BackgroundWrite {
 public:
  BackgroundWrite() = default;
  BackgroundWrite(const BackgroundWrite&) = delete;
  BackgroundWrite& operator=(const BackgroundWrite&) = delete;
  ~BackgroundWrite() {
    if (thread_.joinable()) thread_.join();
  }
  template <typename Fn>
  void start(Fn fn) {
    thread_ = std::thread([this, fn = std::move(fn)] {
      const auto t = Clock::now();
      try {
        fn();
      } catch (...) {
        error_ = std::current_exception();
      }
      seconds_ = since(t);
    });
  }
  void wait() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }
  double seconds() const { return seconds_; }

 private:
  std::thread thread_;
  std::exception_ptr error_;
  double seconds_ = 0;
};

struct PairHash {
  size_t operator()(const std::pair<int64_t, int64_t>& p) const {
    return std::hash<int64_t>{}(p.first * 0x9E3779B97F4A7C15LL ^ p.second);
  }
};

}  // namespace

nlohmann::json ResolveStats::toJson() const {
  return {{"full_rematch", fullRematch}, {"trained", trained},     {"records", records},
          {"affected", affected},        {"candidate_pairs", candidatePairs}, {"matched_pairs", matchedPairs},
          {"capped_values", cappedValues}, {"refused_pairs", refusedPairs}, {"merged", merged},
          {"split", split},              {"golden_updated", goldenUpdated}, {"seconds", seconds},
          {"largest_cluster", largestCluster},
          {"phases", phases}};
}

constexpr int64_t kLargeCluster = 50;

struct Touch {
  size_t added = 0, removed = 0;
  std::vector<int64_t> ids;  // the fresh records that added or removed the value
};

struct Resolver::Impl {
  Impl(soci::session& s, store::Backend b, std::shared_ptr<Matcher> m, std::string p, std::vector<std::string> src,
       int64_t run)
      : sql(s), backend(b), matcher(std::move(m)), pipeline(std::move(p)), sources(std::move(src)), runId(run) {}

  soci::session& sql;
  store::Backend backend;
  std::shared_ptr<Matcher> matcher;
  std::string pipeline;
  std::vector<std::string> sources;
  int64_t runId;
  std::string now;

  ResolveStats stats;
  // Records in memory by id: the affected set and the candidates scored against it.
  std::unordered_map<int64_t, MatchRecord> recs;
  std::unordered_map<int64_t, std::vector<KeyValue>> keysOf;
  std::unordered_set<int64_t> fresh;
  std::unordered_map<int64_t, int64_t> oldRoot;  // id -> golden id before this resolution
  std::unordered_set<int64_t> inR;
  std::vector<int64_t> queue;
  std::vector<ScoredPair> matched;
  std::unordered_set<std::pair<int64_t, int64_t>, PairHash> seen;
  std::unordered_map<std::string, std::vector<int64_t>> holderCache;  // "key\x1fvalue" -> ids (limited)
  std::unordered_set<std::string> cappedSeen;

  const DedupeConfig& cfg() const { return matcher->config(); }
  // Manual operations run outside a pipeline run: their run columns stay NULL.
  void pushRun(store::IntCol& col) const {
    if (runId > 0) col.push(runId);
    else col.pushNull();
  }
  size_t nFields() const { return cfg().fields.size(); }

  int32_t groupOf(const std::string& source) const {
    for (size_t i = 0; i < sources.size(); ++i) {
      if (sources[i] == source) return static_cast<int32_t>(i);
    }
    return -1;
  }

  size_t keyIndex(const std::string& name) const {
    const auto& keys = cfg().keys;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].name == name) return i;
    }
    return keys.size();
  }

  // ------------------------------------------------------------------------------------------ reads

  // On SQLite the lookups of incremental matching run as native statements prepared once (SOCI prepares a
  // statement per query and copies every value); on PostgreSQL through SOCI.
  std::unique_ptr<store::SqliteStatement> qRecord, qRoot, qMembers, qHolders;
  store::SqliteStatement& native(std::unique_ptr<store::SqliteStatement>& st, const char* text) {
    if (!st) st = std::make_unique<store::SqliteStatement>(store::sqliteHandle(sql), text);
    return *st;
  }
  bool sqlite() const { return backend == store::Backend::kSqlite; }

  std::optional<MatchRecord> readMatchRecord(int64_t id, std::vector<KeyValue>* keys) {
    std::string source, payload;
    if (sqlite()) {
      auto& q = native(qRecord, "SELECT source, payload FROM source_record WHERE customer_id = ? AND entity = 'customer'");
      q.bindInt(1, id);
      if (!q.next()) return std::nullopt;
      source = q.columnText(0);
      payload = q.columnText(1);
      q.reset();
    } else {
      long long lid = id;
      sql << "SELECT source, payload FROM source_record WHERE customer_id = :id AND entity = 'customer'",
          soci::use(lid), soci::into(source), soci::into(payload);
      if (!sql.got_data()) return std::nullopt;
    }
    const int32_t group = groupOf(source);
    if (group < 0) return std::nullopt;  // a customer record of a source this stage does not match
    MatchRecord r = matchRecordFromPayload(id, group, payload, cfg().fields);
    if (keys) *keys = matcher->blocker().keyValues(r);
    return r;
  }

  int64_t rootOf(int64_t id) {
    if (auto it = oldRoot.find(id); it != oldRoot.end()) return it->second;
    int64_t root = id;
    if (sqlite()) {
      auto& q = native(qRoot, "SELECT merged_into FROM customer WHERE id = ?");
      q.bindInt(1, id);
      if (q.next()) {
        if (!q.columnIsNull(0)) root = q.columnInt(0);
        q.reset();
      }
    } else {
      long long lid = id, into = 0;
      soci::indicator ind = soci::i_null;
      sql << "SELECT merged_into FROM customer WHERE id = :id", soci::use(lid), soci::into(into, ind);
      if (sql.got_data() && ind == soci::i_ok) root = into;
    }
    oldRoot[id] = root;
    return root;
  }

  std::vector<int64_t> membersOf(int64_t root) {
    std::vector<int64_t> out{root};
    if (sqlite()) {
      auto& q = native(qMembers, "SELECT id FROM customer WHERE merged_into = ? ORDER BY id");
      q.bindInt(1, root);
      while (q.next()) out.push_back(q.columnInt(0));
    } else {
      long long lr = root, id = 0;
      soci::statement st = (sql.prepare << "SELECT id FROM customer WHERE merged_into = :r ORDER BY id",
                            soci::use(lr), soci::into(id));
      st.execute();
      while (st.fetch()) out.push_back(id);
    }
    for (int64_t m : out) oldRoot[m] = root;
    return out;
  }

  // A record for scoring: in memory, or from its payload. Records of other stages' sources are not matched.
  const MatchRecord* record(int64_t id) {
    if (auto it = recs.find(id); it != recs.end()) return &it->second;
    auto r = readMatchRecord(id, nullptr);  // its key values only if it is expanded: most candidates are not
    if (!r) return nullptr;
    return &recs.emplace(id, std::move(*r)).first->second;
  }

  void addCluster(int64_t anyMember) {
    int64_t root = rootOf(anyMember);
    if (inR.count(root) && inR.count(anyMember)) return;
    for (int64_t m : membersOf(root)) {
      if (!inR.insert(m).second) continue;
      if (record(m)) queue.push_back(m);
    }
  }

  // Ids holding a standard key value, at most `limit` of them (0: all).
  const std::vector<int64_t>& holders(const std::string& key, const std::string& value, size_t limit) {
    std::string ck = key + '\x1f' + value + '\x1f' + std::to_string(limit);
    auto it = holderCache.find(ck);
    if (it != holderCache.end()) return it->second;
    std::vector<int64_t> out;
    const long long lim = limit == 0 ? std::numeric_limits<int32_t>::max() : static_cast<long long>(limit);
    if (sqlite()) {
      auto& q = native(qHolders, "SELECT customer_id FROM match_key WHERE key_name = ? AND key_value = ? "
                                 "ORDER BY customer_id LIMIT ?");
      q.bindText(1, key);
      q.bindText(2, value);
      q.bindInt(3, lim);
      while (q.next()) out.push_back(q.columnInt(0));
    } else {
      long long id = 0, l = lim;
      std::string k = key, v = value;
      soci::statement st = (sql.prepare << "SELECT customer_id FROM match_key WHERE key_name = :k AND key_value = :v "
                                           "ORDER BY customer_id LIMIT :n",
                            soci::use(k), soci::use(v), soci::use(l), soci::into(id));
      st.execute();
      while (st.fetch()) out.push_back(id);
    }
    return holderCache.emplace(std::move(ck), std::move(out)).first->second;
  }

  // Up to `count` records before (below = true) or after a sorted-neighbourhood position (value, id),
  // nearest first; records in `skip` do not count towards `count`.
  std::vector<int64_t> neighbours(const std::string& key, const std::string& value, int64_t id, bool below,
                                  size_t count, const std::unordered_set<int64_t>* skip) {
    std::vector<int64_t> out;
    std::string k = key, v = value;
    long long lid = id;
    size_t counted = 0;
    while (counted < count) {
      const long long page = static_cast<long long>(count - counted + 8);
      std::string nv;
      long long nid = 0;
      std::vector<std::pair<std::string, long long>> rows;
      soci::statement st =
          below ? (sql.prepare << "SELECT key_value, customer_id FROM match_key WHERE key_name = :k AND "
                                  "(key_value < :v OR (key_value = :v2 AND customer_id < :id)) "
                                  "ORDER BY key_value DESC, customer_id DESC LIMIT :n",
                   soci::use(k), soci::use(v), soci::use(v), soci::use(lid), soci::use(page), soci::into(nv),
                   soci::into(nid))
                : (sql.prepare << "SELECT key_value, customer_id FROM match_key WHERE key_name = :k AND "
                                  "(key_value > :v OR (key_value = :v2 AND customer_id > :id)) "
                                  "ORDER BY key_value, customer_id LIMIT :n",
                   soci::use(k), soci::use(v), soci::use(v), soci::use(lid), soci::use(page), soci::into(nv),
                   soci::into(nid));
      st.execute();
      while (st.fetch()) rows.emplace_back(nv, nid);
      if (rows.empty()) break;
      for (const auto& [rv, rid] : rows) {
        out.push_back(rid);
        if (!skip || !skip->count(rid)) ++counted;
        v = rv;
        lid = rid;
        if (counted >= count) break;
      }
      if (static_cast<long long>(rows.size()) < page) break;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ scoring

  void consider(int64_t a, int64_t b) {
    if (a == b) return;
    auto key = std::minmax(a, b);
    if (!seen.insert({key.first, key.second}).second) return;
    const MatchRecord* ra = record(a);
    const MatchRecord* rb = record(b);
    if (!ra || !rb) return;
    if (cfg().clustering == ClusteringMode::kOneToOne && ra->group == rb->group) return;
    ++stats.candidatePairs;
    auto s = matcher->score(*ra, *rb);
    if (!s.match) return;
    matched.push_back({key.first, key.second, s.score});
    if (!inR.count(b)) addCluster(b);
    if (!inR.count(a)) addCluster(a);
  }

  // Every candidate of a record in the affected set, through the persisted index.
  void expand(int64_t id) {
    const auto& keys = cfg().keys;
    const size_t cap = cfg().blocking.maxBlockSize;
    auto kit = keysOf.find(id);
    if (kit == keysOf.end()) {
      const MatchRecord* r = record(id);
      if (!r) return;
      kit = keysOf.emplace(id, matcher->blocker().keyValues(*r)).first;
    }
    const std::vector<KeyValue> kvs = kit->second;  // copy: record() may rehash keysOf
    for (const auto& kv : kvs) {
      size_t k = keyIndex(kv.key);
      if (k >= keys.size()) continue;
      if (keys[k].method == BlockingMethod::kSortedNeighbourhood) {
        for (bool below : {true, false}) {
          for (int64_t n : neighbours(kv.key, kv.value, id, below, keys[k].window - 1, nullptr)) consider(id, n);
        }
        continue;
      }
      const auto& hs = holders(kv.key, kv.value, cap == 0 ? 0 : cap + 1);
      if (cap > 0 && hs.size() > cap) {
        if (cappedSeen.insert(kv.key + '\x1f' + kv.value).second) ++stats.cappedValues;
        continue;
      }
      for (int64_t h : hs) consider(id, h);
    }
  }

  // ------------------------------------------------------------------------------------------ writes

  void writeIndex(const std::vector<MatchRecord>& records, const std::vector<std::vector<KeyValue>>& keys) {
    store::TextCol kName, kValue;
    store::IntCol kId;
    struct Row {
      uint32_t key;     // index of the key in the configuration: names sort the same way within one run
      uint64_t prefix;  // the value's first eight bytes, big-endian and zero-padded: most comparisons end here
      std::string_view value;
      int64_t id;
    };
    auto prefixOf = [](std::string_view v) {
      uint64_t p = 0;
      for (size_t i = 0; i < 8; ++i) p = (p << 8) | (i < v.size() ? static_cast<uint8_t>(v[i]) : 0u);
      return p;
    };
    std::vector<std::string_view> keyNames;
    for (const auto& k : cfg().keys) keyNames.push_back(k.name);
    std::vector<uint32_t> byName(keyNames.size());
    for (uint32_t i = 0; i < byName.size(); ++i) byName[i] = i;
    std::sort(byName.begin(), byName.end(), [&](uint32_t a, uint32_t b) { return keyNames[a] < keyNames[b]; });
    std::vector<uint32_t> rank(keyNames.size());
    for (uint32_t i = 0; i < byName.size(); ++i) rank[byName[i]] = i;
    std::vector<Row> rows;
    for (size_t i = 0; i < records.size(); ++i) {
      for (const auto& kv : keys[i]) {
        rows.push_back({rank[keyIndex(kv.key)], prefixOf(kv.value), std::string_view(kv.value), records[i].id});
      }
    }
    // The order of the table's primary key (name, value, id; text in byte order), so that SQLite appends.
    auto before = [](const Row& a, const Row& b) {
      if (a.key != b.key) return a.key < b.key;
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      if (int c = a.value.compare(b.value)) return c < 0;
      return a.id < b.id;
    };
    if (rows.size() >= 65536 && std::thread::hardware_concurrency() > 1) {
      const auto mid = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
      std::thread other([&] { std::sort(mid, rows.end(), before); });
      std::sort(rows.begin(), mid, before);
      other.join();
      std::inplace_merge(rows.begin(), mid, rows.end(), before);
    } else {
      std::sort(rows.begin(), rows.end(), before);
    }
    store::BatchStatement insKey("INSERT INTO match_key (key_name, key_value, customer_id) VALUES ", "(?, ?, ?)",
                                 {kName, kValue, kId}, true);
    constexpr size_t kChunk = 4096;
    for (size_t i = 0; i < rows.size(); i += kChunk) {
      kName.reset();
      kValue.reset();
      kId.reset();
      for (size_t j = i; j < std::min(rows.size(), i + kChunk); ++j) {
        kName.push(keyNames[byName[rows[j].key]]);
        kValue.push(rows[j].value);
        kId.push(rows[j].id);
      }
      kName.finish();
      kValue.finish();
      insKey.execute(sql, backend);
    }
  }

  void deleteIndexOf(int64_t id, const std::vector<KeyValue>& keys) {
    long long lid = id;
    for (const auto& kv : keys) {
      std::string k = kv.key, v = kv.value;
      sql << "DELETE FROM match_key WHERE key_name = :k AND key_value = :v AND customer_id = :id", soci::use(k),
          soci::use(v), soci::use(lid);
    }
  }

  // A merged record's strongest match (none when it joined through the cluster alone) and the two records.
  struct Merge {
    bool matched = false;
    int64_t other = 0;
    double score = 0;
    const MatchRecord* a = nullptr;
    const MatchRecord* b = nullptr;
  };
  // One thread's comparison buffers.
  struct EvidenceScratch {
    std::vector<double> sims;
    std::vector<int8_t> levels;
  };

  // The evidence of one member: the strongest match it has inside its new cluster, with the similarity and
  // level of every comparison: {"matched_with": id, "score": s, "fields": {"name": {"similarity": 0.97,
  // "level": 2}, ...}}. fieldNames: the comparisons' names as JSON strings. Reads only immutable state, so
  // that it runs on several threads.
  std::string evidence(const Merge& m, const std::vector<std::string>& fieldNames, EvidenceScratch& s) const {
    if (!m.matched) return R"({"via":"cluster"})";
    std::string out;
    auto to = std::back_inserter(out);
    fmt::format_to(to, R"({{"matched_with":{},"score":{})", m.other, m.score);
    if (m.a && m.b) {
      const size_t n = fieldNames.size();
      s.sims.resize(n);
      s.levels.resize(n);
      matcher->comparisons().compare(*m.a, *m.b, s.sims, s.levels);
      out += R"(,"fields":{)";
      for (size_t k = 0; k < n; ++k) {
        if (k) out += ',';
        out += fieldNames[k];
        if (std::isnan(s.sims[k])) {
          fmt::format_to(to, R"(:{{"level":{},"similarity":null}})", s.levels[k]);
        } else {
          fmt::format_to(to, R"(:{{"level":{},"similarity":{}}})", s.levels[k], std::round(s.sims[k] * 1e4) / 1e4);
        }
      }
      out += '}';
    }
    out += '}';
    return out;
  }

  // Clusters `ids` with the matched pairs among them and writes what changed.
  void apply(const std::vector<int64_t>& ids, std::vector<ScoredPair> pairs, const std::vector<IdPair>& cannotLink) {
    auto t = Clock::now();
    std::vector<std::vector<int64_t>> clusters;
    if (cfg().clustering == ClusteringMode::kUnionFind) {
      auto result = clusterPairs(pairs, matcher->threshold(), cannotLink, ids);
      stats.refusedPairs += static_cast<int64_t>(result.refused.size());
      clusters = std::move(result.clusters);
    } else {
      // One-to-one: `first` from the first linked source, `second` from the other.
      const int32_t left = groupOf(cfg().link[0]);
      std::vector<ScoredPair> oriented;
      std::unordered_set<std::pair<int64_t, int64_t>, PairHash> forbidden;
      for (const auto& c : cannotLink) forbidden.insert({c.first, c.second});
      for (const auto& p : pairs) {
        if (forbidden.count({p.first, p.second})) continue;
        const MatchRecord* a = record(p.first);
        if (a && a->group == left) oriented.push_back(p);
        else oriented.push_back({p.second, p.first, p.score});
      }
      AssignmentOptions o;
      o.threshold = matcher->threshold();
      auto links = assignOneToOne(oriented, o);
      std::unordered_set<int64_t> linked;
      for (const auto& l : links.links) {
        clusters.push_back({std::min(l.first, l.second), std::max(l.first, l.second)});
        linked.insert(l.first);
        linked.insert(l.second);
      }
      for (int64_t id : ids) {
        if (!linked.count(id)) clusters.push_back({id});
      }
      pairs.clear();
      for (const auto& l : links.links) pairs.push_back(l);
    }
    stats.phases["cluster"] = stats.phases.value("cluster", 0.0) + since(t);
    t = Clock::now();

    // A golden record far larger than one customer has records is almost always a chain of weak matches (a
    // degenerate model, a threshold too low, a shared value that should be in a term-frequency table).
    for (const auto& c : clusters) {
      if (static_cast<int64_t>(c.size()) > stats.largestCluster) {
        stats.largestCluster = static_cast<int64_t>(c.size());
        stats.largestClusterId = c.front();
      }
    }
    if (stats.largestCluster > kLargeCluster) {
      spdlog::warn("[dedupe] golden record {} now holds {} records; that many records of one customer usually means "
                   "a chain of weak matches: check it with `crmsync explain` on two of its records, and the "
                   "model's threshold",
                   stats.largestClusterId, stats.largestCluster);
    }

    std::unordered_map<int64_t, int64_t> newRoot;
    newRoot.reserve(ids.size() * 2);
    for (const auto& c : clusters) {
      for (int64_t m : c) newRoot[m] = c.front();  // clusters are sorted: the smallest id is the golden record
    }
    // Each member's strongest match inside its new cluster (of equal scores the first), for its evidence.
    std::unordered_map<int64_t, ScoredPair> bestOf;
    bestOf.reserve(pairs.size());
    for (const auto& p : pairs) {
      if (!(p.score >= matcher->threshold())) continue;
      if (newRoot[p.first] != newRoot[p.second]) continue;
      for (int64_t m : {p.first, p.second}) {
        auto [it, added] = bestOf.try_emplace(m, p);
        if (!added && p.score > it->second.score) it->second = p;
      }
    }

    // The updates are multi-row, 64 rows a statement (see batch_statement.hpp).
    store::IntCol uInto, uId, uRun;
    store::TextCol uNow;
    store::BatchStatement updMerged(
        "UPDATE customer SET merged_into = v.column1, updated_run = v.column2, updated_at = v.column3 FROM (VALUES ",
        "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, CAST(? AS BIGINT))", {uInto, uRun, uNow, uId}, true,
        ") AS v WHERE customer.id = v.column4");
    store::IntCol undoId, undoRun;
    store::TextCol undoNow;
    store::BatchStatement undo("UPDATE merge_log SET undone_at = v.column1, undone_run = v.column2 FROM (VALUES ",
                               "(?, CAST(? AS BIGINT), CAST(? AS BIGINT))", {undoNow, undoRun, undoId}, true,
                               ") AS v WHERE merge_log.merged_id = v.column3 AND merge_log.undone_at IS NULL");
    store::IntCol lRun, lSurvivor, lMerged;
    store::TextCol lRule, lScore, lExpl, lNow;
    store::BatchStatement log(
        "INSERT INTO merge_log (run_id, survivor_id, merged_id, rule, score, explanation, decided_by, created_at) VALUES ",
        "(?, ?, ?, ?, CAST(? AS DOUBLE PRECISION), ?, 'auto', ?)", {lRun, lSurvivor, lMerged, lRule, lScore, lExpl, lNow},
        true);
    const std::string rule = cfg().model == ModelType::kRules ? cfg().rule : std::string("fellegi_sunter");

    std::unordered_set<int64_t> dirty;
    dirty.reserve(clusters.size());
    std::vector<Merge> merges;
    for (int64_t id : ids) {
      const int64_t before = rootOf(id);
      const int64_t after = newRoot[id];
      if (fresh.count(id) && after != id) dirty.insert(after);
      if (before == after) continue;
      dirty.insert(after);
      if (before != id) {  // else its golden record is `after`, just marked
        if (auto it = newRoot.find(before); it != newRoot.end()) dirty.insert(it->second);
      }
      if (after == id) uInto.pushNull();
      else uInto.push(after);
      pushRun(uRun);
      uNow.push(now);
      uId.push(id);
      if (before != id) {
        undoNow.push(now);
        pushRun(undoRun);
        undoId.push(id);
        ++stats.split;
      }
      if (after != id) {
        Merge m;
        if (auto bo = bestOf.find(id); bo != bestOf.end()) {
          m.matched = true;
          m.other = bo->second.first == id ? bo->second.second : bo->second.first;
          m.score = bo->second.score;
          m.a = record(id);  // here, not on the evidence threads: record() may read the database
          m.b = record(m.other);
        }
        merges.push_back(m);
        pushRun(lRun);
        lSurvivor.push(after);
        lMerged.push(id);
        lRule.push(rule);
        if (!m.matched) lScore.pushNull();
        else lScore.push(std::to_string(m.score));
        lNow.push(now);
        ++stats.merged;
      }
    }
    // Members that were merged before and still are, into the same golden record, need nothing; one whose
    // golden record moved is undone above and logged again with its new survivor.

    // The evidence compares each merged record with its match again: on other threads while this one writes the
    // updates (which do not need it), then on this one too.
    std::vector<std::string> fieldNames;
    for (const auto& spec : matcher->comparisons().specs()) fieldNames.push_back(nlohmann::json(spec.name).dump());
    std::vector<std::string> expl(merges.size());
    std::atomic<size_t> next{0};
    auto explain = [&] {
      constexpr size_t kChunk = 256;
      EvidenceScratch scratch;
      for (size_t from = next.fetch_add(kChunk); from < merges.size(); from = next.fetch_add(kChunk)) {
        for (size_t i = from; i < std::min(merges.size(), from + kChunk); ++i) {
          expl[i] = evidence(merges[i], fieldNames, scratch);
        }
      }
    };
    {
      const unsigned helpers =
          merges.size() > 1024 ? std::min(4u, std::max(2u, std::thread::hardware_concurrency())) - 1 : 0;
      std::vector<std::jthread> pool;  // joined when the scope ends, also when a write throws
      for (unsigned w = 0; w < helpers; ++w) pool.emplace_back(explain);
      // Survivors first: merged_into must point at a row whose own merged_into is already NULL.
      undo.execute(sql, backend);
      updMerged.execute(sql, backend);
      explain();
    }
    for (auto& e : expl) lExpl.push(std::move(e));
    log.execute(sql, backend);
    stats.phases["write_merges"] = stats.phases.value("write_merges", 0.0) + since(t);
    t = Clock::now();

    // Golden records of the clusters that changed or hold a changed record.
    std::unordered_map<int64_t, std::vector<int64_t>> members;
    for (const auto& c : clusters) {
      if (dirty.count(c.front())) members[c.front()] = c;
    }
    std::vector<int64_t> roots;
    for (const auto& [root, m] : members) roots.push_back(root);
    std::sort(roots.begin(), roots.end());
    writeGolden(sql, backend, roots, members, cfg().survivorship, runId, now);
    stats.goldenUpdated += static_cast<int64_t>(roots.size());
    stats.phases["golden"] = stats.phases.value("golden", 0.0) + since(t);
  }

  std::vector<IdPair> cannotLinks(const std::vector<int64_t>& ids, bool all) {
    std::vector<IdPair> out;
    long long a = 0, b = 0;
    // People decide few pairs: unless there are more decisions than records to look them up for, one scan of
    // the table is cheaper than a look-up per record.
    long long decisions = 0;
    if (!all) sql << "SELECT COUNT(*) FROM match_decision WHERE decision = 'cannot_link'", soci::into(decisions);
    if (all || decisions <= static_cast<long long>(ids.size())) {
      soci::statement st = (sql.prepare << "SELECT first_id, second_id FROM match_decision WHERE decision = 'cannot_link'",
                            soci::into(a), soci::into(b));
      st.execute();
      while (st.fetch()) {
        if (all || (inR.count(a) && inR.count(b))) out.push_back({a, b});
      }
      return out;
    }
    std::unordered_set<std::pair<int64_t, int64_t>, PairHash> got;
    long long lid = 0;
    soci::statement st = (sql.prepare << "SELECT first_id, second_id FROM match_decision WHERE decision = 'cannot_link' "
                                         "AND (first_id = :a OR second_id = :b)",
                          soci::use(lid), soci::use(lid), soci::into(a), soci::into(b));
    for (int64_t id : ids) {
      lid = id;
      st.execute();
      while (st.fetch()) {
        if (inR.count(a) && inR.count(b) && got.insert({a, b}).second) out.push_back({a, b});
      }
    }
    return out;
  }

  void saveState(const std::optional<std::string>& model) {
    std::string p = pipeline, stage = cfg().stage, hash = cfg().fingerprint;
    long long run = runId;
    soci::indicator mi = model ? soci::i_ok : soci::i_null;
    std::string m = model.value_or("");
    sql << "INSERT INTO match_state (id, pipeline, stage, config_hash, model, updated_run, updated_at) "
           "VALUES (1, :p, :s, :h, :m, :r, :t) ON CONFLICT (id) DO UPDATE SET pipeline = excluded.pipeline, "
           "stage = excluded.stage, config_hash = excluded.config_hash, model = excluded.model, "
           "updated_run = excluded.updated_run, updated_at = excluded.updated_at",
        soci::use(p), soci::use(stage), soci::use(hash), soci::use(m, mi), soci::use(run), soci::use(now);
  }

  // Every customer record of the stage's sources, from the payloads.
  std::vector<MatchRecord> allRecords() {
    std::vector<MatchRecord> out;
    for (const auto& s : sources) {
      std::string src = s, payload;
      long long id = 0;
      soci::statement st = (sql.prepare << "SELECT customer_id, payload FROM source_record WHERE source = :s AND "
                                           "entity = 'customer' AND customer_id IS NOT NULL ORDER BY customer_id",
                            soci::use(src), soci::into(id), soci::into(payload));
      st.execute();
      while (st.fetch()) {
        out.push_back(matchRecordFromPayload(id, groupOf(s), payload, cfg().fields));
      }
    }
    return out;
  }

  // Customer records of the stage's sources in the database.
  int64_t recordCount() {
    int64_t total = 0;
    for (const auto& s : sources) {
      std::string src = s;
      long long n = 0;
      sql << "SELECT COUNT(*) FROM source_record WHERE source = :s AND entity = 'customer'", soci::use(src),
          soci::into(n);
      total += n;
    }
    return total;
  }

  Result<ResolveStats> resolve(std::vector<MatchRecord> freshRecords, const std::vector<std::string>& oldPayloads) {
    const auto t0 = Clock::now();
    auto t = t0;
    now = store::nowIso8601();

    // State: the configuration it was built with, and the model. Without state (the first run) or with another
    // configuration every record is matched from scratch.
    std::string hash, modelText;
    soci::indicator modelInd = soci::i_null;
    sql << "SELECT config_hash, model FROM match_state WHERE id = 1", soci::into(hash), soci::into(modelText, modelInd);
    const bool haveState = sql.got_data();
    const bool full = !haveState || hash != cfg().fingerprint;
    if (haveState && full) {
      spdlog::info("[dedupe] the matching configuration changed since the last run: re-matching every record");
    }
    if (full) {
      sql << "DELETE FROM match_key";
      // The run's records are all there are on a first load; otherwise read every record back.
      if (recordCount() != static_cast<int64_t>(freshRecords.size())) freshRecords = allRecords();
    }
    stats.fullRematch = full;
    stats.records = static_cast<int64_t>(freshRecords.size());
    for (const auto& r : freshRecords) fresh.insert(r.id);
    stats.phases["state"] = since(t);
    t = Clock::now();

    // Old key values of changed records leave the index; the new ones of every fresh record enter it.
    std::vector<std::vector<KeyValue>> newKeys(freshRecords.size());
    for (size_t i = 0; i < freshRecords.size(); ++i) newKeys[i] = matcher->blocker().keyValues(freshRecords[i]);
    std::map<std::pair<std::string, std::string>, Touch> touched;
    if (!full) {
      for (size_t i = 0; i < freshRecords.size(); ++i) {
        std::vector<KeyValue> old;
        if (i < oldPayloads.size() && !oldPayloads[i].empty()) {
          old = matcher->blocker().keyValues(
              matchRecordFromPayload(freshRecords[i].id, freshRecords[i].group, oldPayloads[i], cfg().fields));
          deleteIndexOf(freshRecords[i].id, old);
        }
        for (const auto& kv : old) {
          if (std::find(newKeys[i].begin(), newKeys[i].end(), kv) == newKeys[i].end()) {
            auto& tv = touched[{kv.key, kv.value}];
            ++tv.removed;
            tv.ids.push_back(freshRecords[i].id);
          }
        }
        for (const auto& kv : newKeys[i]) {
          if (std::find(old.begin(), old.end(), kv) == old.end()) {
            auto& tv = touched[{kv.key, kv.value}];
            ++tv.added;
            tv.ids.push_back(freshRecords[i].id);
          }
        }
      }
    }
    // A full run blocks, trains and scores in memory, and nothing else uses the connection until clustering
    // reads the golden records as they were: meanwhile its index is written on a thread of its own. An
    // incremental run looks its candidates up in the index, new records included, so it writes it first.
    BackgroundWrite index;
    if (full) {
      index.start([this, &freshRecords, &newKeys] { writeIndex(freshRecords, newKeys); });
    } else {
      writeIndex(freshRecords, newKeys);
      stats.phases["index"] = since(t);
    }
    t = Clock::now();

    // The model.
    std::optional<std::string> storedModel;
    if (cfg().model == ModelType::kFellegiSunter) {
      if (!full && modelInd == soci::i_ok) {
        auto j = nlohmann::json::parse(modelText, nullptr, false);
        ASSIGN_OR_RETURN(auto model, modelFromStored(j, cfg()));
        RETURN_IF_ERROR(matcher->setModel(std::move(model)));
        storedModel = modelText;
      }
    } else {
      (void)modelInd;
    }

    if (full) {
      ASSIGN_OR_RETURN(auto model, fullRun(freshRecords, newKeys, storedModel, index));
      storedModel = model;
    } else {
      RETURN_IF_ERROR(incrementalRun(freshRecords, newKeys, touched));
    }
    t = Clock::now();
    saveState(storedModel);
    stats.seconds = since(t0);
    return stats;
  }

  Result<std::optional<std::string>> fullRun(std::vector<MatchRecord>& records, std::vector<std::vector<KeyValue>>& keys,
                                             std::optional<std::string> storedModel, BackgroundWrite& index) {
    auto t = Clock::now();
    auto blocked = matcher->blocker().block(records);
    stats.cappedValues = static_cast<int64_t>(blocked.capped.size());
    stats.phases["block"] = since(t);
    t = Clock::now();
    // Fellegi-Sunter weighs levels, not similarities: the pairs are compared once, for training and scoring.
    const bool fs = cfg().model == ModelType::kFellegiSunter;
    PairLevels compared;
    if (fs) {
      compared = matcher->compareAll(records, blocked.pairs);
      stats.phases["compare"] = since(t);
      t = Clock::now();
    }
    if (fs && !matcher->hasScorer()) {
      FellegiSunterModel model;
      FrequencyTables frequencies;
      if (cfg().fs.modelFile) {
        ASSIGN_OR_RETURN(model, FellegiSunterModel::load(*cfg().fs.modelFile));
        frequencies = matcher->recordFrequencies(records);
      } else {
        ASSIGN_OR_RETURN(model, matcher->train(records, blocked.pairs, keys, &frequencies, &compared));
        stats.trained = true;
      }
      auto stored = modelWithFrequencies(model, frequencies);
      ASSIGN_OR_RETURN(auto reloaded, modelFromStored(stored, cfg()));
      RETURN_IF_ERROR(matcher->setModel(std::move(reloaded)));
      storedModel = stored.dump();
      stats.phases["train"] = since(t);
      t = Clock::now();
    }
    // Score on every core: the scorer is immutable.
    const auto& pairs = blocked.pairs;
    stats.candidatePairs = static_cast<int64_t>(pairs.size());
    unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    std::vector<std::vector<ScoredPair>> parts(threads);
    const bool oneToOne = cfg().clustering == ClusteringMode::kOneToOne;
    auto work = [&](unsigned w) {
      for (size_t i = w; i < pairs.size(); i += threads) {
        const auto& a = records[pairs[i].first];
        const auto& b = records[pairs[i].second];
        if (oneToOne && a.group == b.group) continue;
        auto s = fs ? matcher->scoreCompared(a, compared, i) : matcher->score(a, b);
        if (s.match) parts[w].push_back({std::min(a.id, b.id), std::max(a.id, b.id), s.score});
      }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& th : pool) th.join();
    for (auto& p : parts) matched.insert(matched.end(), p.begin(), p.end());
    stats.matchedPairs = static_cast<int64_t>(matched.size());
    stats.phases["score"] = since(t);
    t = Clock::now();
    index.wait();  // the records and their key values move into the maps below, and the connection is needed
    stats.phases["index"] = index.seconds();
    stats.phases["index_wait"] = since(t);
    t = Clock::now();

    std::vector<int64_t> ids;
    ids.reserve(records.size());
    for (auto& r : records) {
      ids.push_back(r.id);
      inR.insert(r.id);
    }
    // Golden ids before: everything merged so far (a re-match), else every record is its own.
    {
      long long id = 0, into = 0;
      soci::statement st = (sql.prepare << "SELECT id, merged_into FROM customer WHERE merged_into IS NOT NULL",
                            soci::into(id), soci::into(into));
      st.execute();
      while (st.fetch()) oldRoot[id] = into;
      for (int64_t i : ids) oldRoot.emplace(i, i);
    }
    for (size_t i = 0; i < records.size(); ++i) {
      keysOf[records[i].id] = std::move(keys[i]);
      recs.emplace(records[i].id, std::move(records[i]));
    }
    stats.affected = static_cast<int64_t>(ids.size());
    stats.phases["load"] = since(t);
    apply(ids, std::move(matched), cannotLinks(ids, true));
    return storedModel;
  }

  Status incrementalRun(std::vector<MatchRecord>& records, const std::vector<std::vector<KeyValue>>& keys,
                        const std::map<std::pair<std::string, std::string>, Touch>& touched) {
    auto t = Clock::now();
    for (size_t i = 0; i < records.size(); ++i) {
      keysOf[records[i].id] = keys[i];
      recs.emplace(records[i].id, records[i]);
    }
    // Seeds: the fresh records, and records whose pairs the frequency cap or a sorted neighbourhood changed.
    std::vector<int64_t> seeds;
    for (const auto& r : records) seeds.push_back(r.id);
    const auto& cfgKeys = cfg().keys;
    const size_t cap = cfg().blocking.maxBlockSize;
    for (const auto& [kv, touch] : touched) {
      size_t k = keyIndex(kv.first);
      if (k >= cfgKeys.size()) continue;
      if (cfgKeys[k].method == BlockingMethod::kSortedNeighbourhood) {
        // Pairs between old records near where a record entered or left the order may have formed or broken:
        // the window's worth of old records on each side join the affected set.
        for (int64_t at : touch.ids) {
          for (bool below : {true, false}) {
            for (int64_t n : neighbours(kv.first, kv.second, at, below, cfgKeys[k].window, &fresh)) seeds.push_back(n);
          }
        }
        continue;
      }
      if (cap == 0) continue;
      const auto& hs = holders(kv.first, kv.second, cap + 1 + touch.added);
      const size_t nowCount = hs.size();
      if (nowCount == cap + 1 + touch.added) continue;  // stopped by the cap before and after
      const size_t before = nowCount + touch.removed - touch.added;
      if ((nowCount > cap) != (before > cap)) seeds.insert(seeds.end(), hs.begin(), hs.end());
    }
    stats.phases["seeds"] = since(t);
    t = Clock::now();
    for (int64_t s : seeds) addCluster(s);
    while (!queue.empty()) {
      int64_t id = queue.back();
      queue.pop_back();
      if (!recs.count(id)) continue;
      expand(id);
    }
    stats.phases["candidates"] = since(t);
    std::vector<int64_t> ids(inR.begin(), inR.end());
    std::erase_if(ids, [&](int64_t id) { return !recs.count(id); });
    std::sort(ids.begin(), ids.end());
    std::vector<ScoredPair> pairs;
    for (const auto& p : matched) {
      if (inR.count(p.first) && inR.count(p.second)) pairs.push_back(p);
    }
    stats.matchedPairs = static_cast<int64_t>(pairs.size());
    stats.affected = static_cast<int64_t>(ids.size());
    apply(ids, std::move(pairs), cannotLinks(ids, false));
    return Status::ok();
  }
};

Resolver::Resolver(soci::session& sql, std::string backend, std::shared_ptr<Matcher> matcher, std::string pipeline,
                   std::vector<std::string> sources, int64_t runId)
    : impl_(std::make_unique<Impl>(sql, backend == "postgresql" ? store::Backend::kPostgresql : store::Backend::kSqlite,
                                   std::move(matcher), std::move(pipeline), std::move(sources), runId)) {}

Resolver::~Resolver() = default;

int32_t Resolver::groupOf(const std::string& source) const { return impl_->groupOf(source); }

Result<ResolveStats> Resolver::resolve(std::vector<MatchRecord> fresh, const std::vector<std::string>& oldPayloads) {
  std::optional<Result<ResolveStats>> out;
  Status st = store::guardSql("matching records", [&] { out.emplace(impl_->resolve(std::move(fresh), oldPayloads)); });
  if (!st.isOk()) return st;
  return std::move(*out);
}

Result<MatchRecord> Resolver::loadRecord(int64_t customerId) {
  std::optional<MatchRecord> r;
  Status st = store::guardSql("reading a match record", [&] {
    r = impl_->readMatchRecord(customerId, nullptr);
    if (r) return;
    std::string source, payload;
    long long id = customerId;
    impl_->sql << "SELECT source, payload FROM source_record WHERE customer_id = :id AND entity = 'customer'",
        soci::use(id), soci::into(source), soci::into(payload);
    if (impl_->sql.got_data()) r = matchRecordFromPayload(customerId, impl_->groupOf(source), payload, impl_->cfg().fields);
  });
  if (!st.isOk()) return st;
  if (!r) return notFound("customer " + std::to_string(customerId) + " has no customer record");
  return *r;
}

Result<ResolveStats> Resolver::unmerge(const std::vector<int64_t>& records, bool all, const std::string& reason) {
  auto& d = *impl_;
  std::optional<Result<ResolveStats>> out;
  Status st = store::guardSql("splitting a golden record", [&] {
    d.now = store::nowIso8601();
    if (records.empty()) {
      out.emplace(invalidInput("name the records to split out"));
      return;
    }
    const int64_t root = d.rootOf(records.front());
    std::vector<int64_t> members = d.membersOf(root);
    for (int64_t r : records) {
      if (d.rootOf(r) != root) {
        out.emplace(invalidInput("records " + std::to_string(records.front()) + " and " + std::to_string(r) +
                                 " are not one customer; split them one golden record at a time"));
        return;
      }
    }
    std::unordered_set<int64_t> named(records.begin(), records.end());
    std::vector<IdPair> decisions;
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        int64_t a = std::min(members[i], members[j]), b = std::max(members[i], members[j]);
        if (all || named.count(a) != named.count(b)) decisions.push_back({a, b});
      }
    }
    if (members.size() < 2 || decisions.empty()) {
      out.emplace(invalidInput("customer " + std::to_string(root) + " has nothing to split: it holds " +
                               std::to_string(members.size()) + " record(s)"));
      return;
    }
    for (const auto& p : decisions) {
      long long a = p.first, b = p.second;
      std::string why = reason;
      d.sql << "INSERT INTO match_decision (first_id, second_id, decision, reason, decided_by, created_at) "
               "VALUES (:a, :b, 'cannot_link', :r, 'manual', :t) ON CONFLICT (first_id, second_id, decision) DO NOTHING",
          soci::use(a), soci::use(b), soci::use(why), soci::use(d.now);
    }
    // Re-cluster the records of the golden record (and whatever they match) with the new decisions.
    for (int64_t m : members) {
      if (!d.record(m)) continue;
      d.inR.insert(m);
      d.queue.push_back(m);
    }
    while (!d.queue.empty()) {
      int64_t id = d.queue.back();
      d.queue.pop_back();
      d.expand(id);
    }
    std::vector<int64_t> ids(d.inR.begin(), d.inR.end());
    std::erase_if(ids, [&](int64_t id) { return !d.recs.count(id); });
    std::sort(ids.begin(), ids.end());
    std::vector<ScoredPair> pairs;
    for (const auto& p : d.matched) {
      if (d.inR.count(p.first) && d.inR.count(p.second)) pairs.push_back(p);
    }
    d.stats.affected = static_cast<int64_t>(ids.size());
    d.apply(ids, std::move(pairs), d.cannotLinks(ids, false));
    // The manual decision is the reason these records left: mark their closed merge_log rows as manual.
    for (int64_t m : members) {
      long long lm = m;
      d.sql << "UPDATE merge_log SET decided_by = 'manual' WHERE merged_id = :m AND undone_at = :t",
          soci::use(lm), soci::use(d.now);
    }
    out.emplace(d.stats);
  });
  if (!st.isOk()) return st;
  return std::move(*out);
}

Result<int64_t> findRecord(soci::session& sql, const std::string& ref) {
  std::optional<int64_t> out;
  std::string message;
  Status st = store::guardSql("looking up record " + ref, [&] {
    bool numeric = !ref.empty() && std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) {
      long long id = std::stoll(ref), found = 0;
      sql << "SELECT id FROM customer WHERE id = :id", soci::use(id), soci::into(found);
      if (sql.got_data()) out = found;
      return;
    }
    size_t sep = ref.find_first_of(":/");
    if (sep == std::string::npos) {
      message = "'" + ref + "' is neither a customer id nor SOURCE:KEY";
      return;
    }
    std::string source = ref.substr(0, sep), key = ref.substr(sep + 1);
    long long id = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT customer_id FROM source_record WHERE source = :s AND entity = 'customer' AND source_key = :k",
        soci::use(source), soci::use(key), soci::into(id, ind);
    if (sql.got_data() && ind == soci::i_ok) out = id;
  });
  if (!st.isOk()) return st;
  if (!message.empty()) return invalidInput(message);
  if (!out) return notFound("no customer record " + ref);
  return *out;
}

}  // namespace crmsync::match
