#include "match/survivorship.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "store/batch_statement.hpp"
#include "store/payload_reader.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::match {
namespace {

using Rules = std::array<const FieldSurvivorship*, kGoldenColumns>;

// Most recent first, then smallest id: the order ties are broken in.
bool moreRecent(const MemberRecord& a, const MemberRecord& b) {
  if (a.updatedAt() != b.updatedAt()) return a.updatedAt() > b.updatedAt();
  return a.id() < b.id();
}

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Working space of survive(), kept between the golden records of a run.
struct Scratch {
  std::vector<const MemberRecord*> byRecency;
  std::vector<const MemberRecord*> have;
  std::vector<std::string_view> sorted;
};

GoldenColumns surviveWith(std::span<const MemberRecord* const> members, const Rules& rules, Scratch& s) {
  s.byRecency.assign(members.begin(), members.end());
  std::sort(s.byRecency.begin(), s.byRecency.end(),
            [](const MemberRecord* a, const MemberRecord* b) { return moreRecent(*a, *b); });

  GoldenColumns out;
  for (size_t c = 0; c < kGoldenColumns; ++c) {
    const FieldSurvivorship& rule = *rules[c];
    auto& have = s.have;
    have.clear();
    for (const auto* m : s.byRecency) {
      if (auto v = m->column(c); v && !v->empty()) have.push_back(m);
    }
    if (have.empty()) continue;
    const MemberRecord* pick = have.front();  // most recent
    switch (rule.rule) {
      case SurvivorRule::kMostRecent: break;
      case SurvivorRule::kMostFrequent: {
        // Counted on the sorted values: no map of strings per column of every golden record.
        auto& sorted = s.sorted;
        sorted.clear();
        for (const auto* m : have) sorted.push_back(*m->column(c));
        std::sort(sorted.begin(), sorted.end());
        size_t best = 0;
        for (const auto* m : have) {  // recency order: the first with the top count wins ties
          auto range = std::equal_range(sorted.begin(), sorted.end(), *m->column(c));
          size_t n = static_cast<size_t>(range.second - range.first);
          if (n > best) {
            best = n;
            pick = m;
          }
        }
        break;
      }
      case SurvivorRule::kMostComplete: {
        size_t best = 0;
        for (const auto* m : have) {
          if (m->filled() > best) {
            best = m->filled();
            pick = m;
          }
        }
        break;
      }
      case SurvivorRule::kLongest: {
        size_t best = 0;
        for (const auto* m : have) {
          size_t n = codePoints(*m->column(c));
          if (n > best) {
            best = n;
            pick = m;
          }
        }
        break;
      }
      case SurvivorRule::kSourcePriority: {
        size_t best = rule.order.size() + 1;
        for (const auto* m : have) {
          auto it = std::find(rule.order.begin(), rule.order.end(), m->source());
          size_t rank = it == rule.order.end() ? rule.order.size() : static_cast<size_t>(it - rule.order.begin());
          if (rank < best) {
            best = rank;
            pick = m;
          }
        }
        break;
      }
    }
    out[c] = pick->column(c);
  }
  return out;
}

Rules rulesOf(const SurvivorshipConfig& config) {
  Rules rules;
  for (size_t c = 0; c < kGoldenColumns; ++c) rules[c] = &config.forField(std::string(store::kCustomerFieldColumns[c]));
  return rules;
}

// Ids this close together (at least one in kDense of them wanted) are read with one range query: the
// customer_id index and the table rows (stored in about customer_id order) are walked in order, where one
// lookup per id would descend both B-trees each time and, on a large run, miss the page cache on most of them.
constexpr int64_t kBlock = 1024;
constexpr int64_t kDense = 8;

// The customer records of `ids` (sorted, unique), by position in `ids`; none where an id has no customer record.
// Of several customer records of one id the first (smallest source_record id) counts.
std::vector<std::optional<MemberRecord>> readMembers(soci::session& sql, store::Backend backend,
                                                      const std::vector<int64_t>& ids) {
  std::vector<std::optional<MemberRecord>> out(ids.size());
  std::vector<std::string> names(store::kCustomerFieldColumns.begin(), store::kCustomerFieldColumns.end());
  store::PayloadReader reader(std::move(names));
  MemberRecord::Columns columns;
  size_t pos = 0;  // rows arrive in customer_id order, as the ranges do
  auto take = [&](int64_t id, std::string_view source, std::string_view payload, std::string_view updatedAt) {
    while (pos < ids.size() && ids[pos] < id) ++pos;
    if (pos == ids.size() || ids[pos] != id || out[pos]) return;
    reader.read(payload);
    for (size_t c = 0; c < kGoldenColumns; ++c) columns[c] = reader.value(c);
    out[pos].emplace(id, source, updatedAt, columns);
  };

  const char* readSql =
      "SELECT customer_id, source, payload, COALESCE(source_updated_at, updated_at) FROM source_record "
      "WHERE customer_id >= :lo AND customer_id <= :hi AND entity = 'customer' ORDER BY customer_id, id";
  long long lo = 0, hi = 0, cid = 0;
  std::string source, payload, updatedAt;
  std::unique_ptr<store::SqliteStatement> native;
  std::optional<soci::statement> read;
  if (backend == store::Backend::kSqlite) {
    // On SQLite through a native statement: SOCI copies every value.
    std::string q = readSql;
    q.replace(q.find(":lo"), 3, "?");
    q.replace(q.find(":hi"), 3, "?");
    native = std::make_unique<store::SqliteStatement>(store::sqliteHandle(sql), q);
  } else {
    read.emplace((sql.prepare << readSql, soci::use(lo), soci::use(hi), soci::into(cid), soci::into(source),
                  soci::into(payload), soci::into(updatedAt)));
  }
  auto range = [&](int64_t from, int64_t to) {
    pos = static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), from) - ids.begin());
    if (native) {
      native->bindInt(1, from);
      native->bindInt(2, to);
      while (native->next()) {
        take(native->columnInt(0), native->columnText(1), native->columnText(2), native->columnText(3));
      }
      return;
    }
    lo = from;
    hi = to;
    read->execute();
    while (read->fetch()) take(cid, source, payload, updatedAt);
  };

  for (size_t i = 0; i < ids.size();) {
    size_t j = i + 1;
    while (j < ids.size() && ids[j] / kBlock == ids[i] / kBlock) ++j;
    const int64_t span = ids[j - 1] - ids[i] + 1;
    if (span <= kDense * static_cast<int64_t>(j - i)) {
      range(ids[i], ids[j - 1]);
    } else {
      for (size_t k = i; k < j; ++k) range(ids[k], ids[k]);
    }
    i = j;
  }
  return out;
}

}  // namespace

MemberRecord::MemberRecord(int64_t id, std::string_view source, std::string_view updatedAt, const Columns& columns)
    : id_(id) {
  size_t bytes = source.size() + updatedAt.size();
  for (const auto& c : columns) bytes += c ? c->size() : 0;
  text_.reserve(bytes);
  text_.append(source);
  end_[0] = static_cast<uint32_t>(text_.size());
  text_.append(updatedAt);
  end_[1] = static_cast<uint32_t>(text_.size());
  for (size_t c = 0; c < kGoldenColumns; ++c) {
    if (columns[c]) {
      text_.append(*columns[c]);
      present_ |= 1u << c;
      filled_ += !columns[c]->empty();
    }
    end_[c + 2] = static_cast<uint32_t>(text_.size());
  }
}

GoldenColumns survive(std::span<const MemberRecord* const> members, const SurvivorshipConfig& config) {
  Scratch scratch;
  return surviveWith(members, rulesOf(config), scratch);
}

void writeGolden(soci::session& sql, store::Backend backend, const std::vector<int64_t>& roots,
                 const std::unordered_map<int64_t, std::vector<int64_t>>& members, const SurvivorshipConfig& config,
                 int64_t runId, const std::string& now) {
  if (roots.empty()) return;
  std::vector<int64_t> ids;
  for (int64_t root : roots) {
    const auto& m = members.at(root);
    ids.insert(ids.end(), m.begin(), m.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::vector<std::optional<MemberRecord>> records = readMembers(sql, backend, ids);

  // One UPDATE ... FROM (VALUES ...) per 64 golden records (see batch_statement.hpp).
  std::array<store::TextCol, kGoldenColumns> cols;
  store::IntCol id, run;
  store::TextCol at;
  std::string set, row;
  std::vector<store::BatchColumn> bound;
  for (size_t c = 0; c < kGoldenColumns; ++c) {
    const std::string name(store::kCustomerFieldColumns[c]);
    const std::string value = "v.column" + std::to_string(c + 1);
    // kind is NOT NULL: a customer whose records do not say keeps 'person'. lifecycle is also derived by the
    // load path (a confirmed order makes a customer existing): records that do not say leave it as it is.
    const bool keep = name == "kind" || name == "lifecycle";
    set += (c ? ", " : "") + name + " = " + (keep ? "COALESCE(" + value + ", customer." + name + ")" : value);
    row += "?, ";
    bound.emplace_back(cols[c]);
  }
  set += ", updated_run = v.column" + std::to_string(kGoldenColumns + 1) + ", updated_at = v.column" +
         std::to_string(kGoldenColumns + 2);
  bound.emplace_back(run);
  bound.emplace_back(at);
  bound.emplace_back(id);
  store::BatchStatement update("UPDATE customer SET " + set + " FROM (VALUES ",
                               "(" + row + "CAST(? AS BIGINT), ?, CAST(? AS BIGINT))", bound, true,
                               ") AS v WHERE customer.id = v.column" + std::to_string(kGoldenColumns + 3));

  auto flush = [&] {
    update.execute(sql, backend);
    for (auto& c : cols) c.reset();
    at.reset();
    id.reset();
    run.reset();
  };
  const Rules rules = rulesOf(config);
  Scratch scratch;
  std::vector<const MemberRecord*> recs;
  for (int64_t root : roots) {
    recs.clear();
    for (int64_t m : members.at(root)) {
      const auto& r = records[static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), m) - ids.begin())];
      if (r) recs.push_back(&*r);
    }
    if (recs.empty()) continue;
    GoldenColumns g = surviveWith(recs, rules, scratch);
    for (size_t c = 0; c < kGoldenColumns; ++c) {
      if (g[c]) cols[c].push(*g[c]);
      else cols[c].pushNull();
    }
    if (runId > 0) run.push(runId);
    else run.pushNull();
    at.push(now);
    id.push(root);
    if (id.size() >= 1024) flush();
  }
  if (id.size() > 0) flush();
}

}  // namespace crmsync::match
