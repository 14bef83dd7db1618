#include "match/survivorship.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "store/batch_statement.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::match {
namespace {

constexpr size_t kColumns = store::kCustomerFieldColumns.size();

// Most recent first, then smallest id: the order ties are broken in.
bool moreRecent(const MemberRecord& a, const MemberRecord& b) {
  if (a.updatedAt != b.updatedAt) return a.updatedAt > b.updatedAt;
  return a.id < b.id;
}

size_t codePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

size_t MemberRecord::filled() const {
  size_t n = 0;
  for (const auto& c : columns) n += c && !c->empty();
  return n;
}

GoldenColumns survive(const std::vector<MemberRecord>& members, const SurvivorshipConfig& config) {
  std::vector<const MemberRecord*> byRecency;
  for (const auto& m : members) byRecency.push_back(&m);
  std::sort(byRecency.begin(), byRecency.end(), [](const MemberRecord* a, const MemberRecord* b) { return moreRecent(*a, *b); });

  GoldenColumns out;
  for (size_t c = 0; c < kColumns; ++c) {
    const FieldSurvivorship& rule = config.forField(std::string(store::kCustomerFieldColumns[c]));
    std::vector<const MemberRecord*> have;
    for (const auto* m : byRecency) {
      if (m->columns[c] && !m->columns[c]->empty()) have.push_back(m);
    }
    if (have.empty()) continue;
    const MemberRecord* pick = have.front();  // most recent
    switch (rule.rule) {
      case SurvivorRule::kMostRecent: break;
      case SurvivorRule::kMostFrequent: {
        std::map<std::string, size_t> counts;
        for (const auto* m : have) ++counts[*m->columns[c]];
        size_t best = 0;
        for (const auto* m : have) {  // recency order: the first with the top count wins ties
          size_t n = counts[*m->columns[c]];
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
          size_t n = codePoints(*m->columns[c]);
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
          auto it = std::find(rule.order.begin(), rule.order.end(), m->source);
          size_t rank = it == rule.order.end() ? rule.order.size() : static_cast<size_t>(it - rule.order.begin());
          if (rank < best) {
            best = rank;
            pick = m;
          }
        }
        break;
      }
    }
    out[c] = pick->columns[c];
  }
  return out;
}

void writeGolden(soci::session& sql, store::Backend backend, const std::vector<int64_t>& roots,
                 const std::unordered_map<int64_t, std::vector<int64_t>>& members, const SurvivorshipConfig& config,
                 int64_t runId, const std::string& now) {
  if (roots.empty()) return;
  std::array<store::TextCol, kColumns> cols;
  store::IntCol id, run;
  store::TextCol at;
  std::string set;
  std::vector<store::BatchColumn> bound;
  for (size_t c = 0; c < kColumns; ++c) {
    set += std::string(c ? ", " : "") + std::string(store::kCustomerFieldColumns[c]) + " = ?";
    bound.emplace_back(cols[c]);
  }
  bound.emplace_back(run);
  bound.emplace_back(at);
  bound.emplace_back(id);
  // kind is NOT NULL: a customer whose records do not say keeps 'person'.
  std::string sqlText = "UPDATE customer SET " + set + ", updated_run = ?, updated_at = ? WHERE id = ?";
  sqlText.replace(sqlText.find("kind = ?"), 8, "kind = COALESCE(?, kind)");
  store::BatchStatement update("", sqlText, bound, false);

  // Members' payloads: on SQLite through a native statement (SOCI copies every value), else through SOCI.
  long long mid = 0;
  std::string source, payload, updatedAt;
  const char* readSql =
      "SELECT source, payload, COALESCE(source_updated_at, updated_at) FROM source_record WHERE customer_id = :id "
      "AND entity = 'customer'";
  std::unique_ptr<store::SqliteStatement> native;
  std::optional<soci::statement> read;
  if (backend == store::Backend::kSqlite) {
    std::string q = readSql;
    q.replace(q.find(":id"), 3, "?");
    native = std::make_unique<store::SqliteStatement>(store::sqliteHandle(sql), q);
  } else {
    read.emplace((sql.prepare << readSql, soci::use(mid), soci::into(source), soci::into(payload),
                  soci::into(updatedAt)));
  }
  auto fetch = [&](int64_t member) {
    if (native) {
      native->bindInt(1, member);
      if (!native->next()) return false;
      source = native->columnText(0);
      payload = native->columnText(1);
      updatedAt = native->columnText(2);
      native->reset();
      return true;
    }
    mid = member;
    read->execute(true);
    return sql.got_data();
  };
  std::vector<MemberRecord> recs;
  auto flush = [&] {
    for (auto& c : cols) c.finish();
    at.finish();
    update.execute(sql, backend);
    for (auto& c : cols) c.reset();
    at.reset();
    id.reset();
    run.reset();
  };
  for (int64_t root : roots) {
    recs.clear();
    for (int64_t m : members.at(root)) {
      if (!fetch(m)) continue;
      MemberRecord r;
      r.id = m;
      r.source = source;
      r.updatedAt = updatedAt;
      auto j = nlohmann::json::parse(payload, nullptr, false);
      if (j.is_object()) {
        for (size_t c = 0; c < kColumns; ++c) {
          auto it = j.find(std::string(store::kCustomerFieldColumns[c]));
          if (it != j.end() && it->is_string()) r.columns[c] = it->get<std::string>();
        }
      }
      recs.push_back(std::move(r));
    }
    if (recs.empty()) continue;
    GoldenColumns g = survive(recs, config);
    for (size_t c = 0; c < kColumns; ++c) cols[c].push(&g[c]);
    if (runId > 0) run.push(runId);
    else run.pushNull();
    at.push(now);
    id.push(root);
    if (id.size() >= 1024) flush();
  }
  if (id.size() > 0) flush();
}

}  // namespace crmsync::match
