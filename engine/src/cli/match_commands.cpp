// `crmsync explain` and `crmsync unmerge`: what the dedupe stage decided, and undoing it.
#include <fmt/format.h>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "crmsync/config/references.hpp"
#include "crmsync/match/resolver.hpp"
#include "crmsync/pipeline/validate.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::cli {
namespace {

// The pipeline's dedupe stage, its matcher (with the stored model) and the opened store.
struct MatchContext {
  pipeline::Validated validated;
  std::shared_ptr<match::Matcher> matcher;
  std::vector<std::string> sources;
  std::unique_ptr<store::Store> store;
};

int openMatchContext(const CommonOptions& common, const std::string& pipelinePath, const std::string& storeUrl,
                     MatchContext& out) {
  out.validated = pipeline::validatePipeline(pipelinePath, common.pluginDirs, storeUrl);
  if (out.validated.diagnostics.hasErrors()) {
    std::cerr << out.validated.diagnostics.str();
    return kExitInvalid;
  }
  const auto& spec = out.validated.spec;
  const config::StageSpec* stage = nullptr;
  for (const auto& s : spec.stages) {
    if (s.type == "dedupe") stage = &s;
  }
  if (!stage) {
    std::cerr << pipelinePath << ": the pipeline has no dedupe stage\n";
    return kExitInvalid;
  }
  config::Diagnostics diags;
  auto cfg = match::parseDedupeConfig(stage->node, stage->name, spec.file, spec.dir, diags);
  if (!cfg) {
    std::cerr << diags.str();
    return kExitInvalid;
  }
  auto matcher = match::Matcher::create(*cfg);
  if (!matcher) {
    std::cerr << matcher.status().message() << "\n";
    return kExitInvalid;
  }
  out.matcher = *matcher;
  if (!stage->sources.empty()) {
    out.sources = stage->sources;
  } else {
    for (const auto& s : spec.sources) out.sources.push_back(s.name);
  }
  auto url = config::resolveReferences(spec.store, spec.dir);
  if (!url) {
    std::cerr << "store: " << url.status().message() << "\n";
    return kExitInvalid;
  }
  auto opened = store::Store::open(*url);
  if (!opened) {
    spdlog::error("{}", opened.status().message());
    return kExitStoreError;
  }
  out.store = std::move(opened).value();
  if (cfg->model == match::ModelType::kFellegiSunter) {
    std::string model, hash;
    soci::indicator ind = soci::i_null;
    out.store->session() << "SELECT config_hash, model FROM match_state WHERE id = 1", soci::into(hash),
        soci::into(model, ind);
    if (!out.store->session().got_data() || ind != soci::i_ok) {
      std::cerr << "no trained matching model in the database yet: run the pipeline first\n";
      return kExitInvalid;
    }
    if (hash != cfg->fingerprint) {
      std::cerr << "warning: the dedupe configuration changed since the last run; the next run re-matches every "
                   "record\n";
    }
    auto m = match::modelFromStored(nlohmann::json::parse(model, nullptr, false), *cfg);
    if (!m) {
      std::cerr << m.status().message() << "\n";
      return kExitStoreError;
    }
    if (auto st = out.matcher->setModel(std::move(*m)); !st.isOk()) {
      std::cerr << st.message() << "\n";
      return kExitInvalid;
    }
  }
  return kExitOk;
}

struct RecordInfo {
  int64_t id = 0;
  int64_t golden = 0;
  std::string source;
  std::string key;
};

RecordInfo recordInfo(soci::session& sql, int64_t id) {
  RecordInfo r;
  r.id = id;
  long long lid = id, into = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT merged_into FROM customer WHERE id = :id", soci::use(lid), soci::into(into, ind);
  r.golden = ind == soci::i_ok ? into : id;
  sql << "SELECT source, source_key FROM source_record WHERE customer_id = :id AND entity = 'customer'",
      soci::use(lid), soci::into(r.source), soci::into(r.key);
  return r;
}

std::string describe(const RecordInfo& r) {
  return fmt::format("{}:{} (customer {}{})", r.source, r.key, r.id,
                     r.golden == r.id ? ", a golden record" : fmt::format(", merged into {}", r.golden));
}

}  // namespace

int explainCommand(const CommonOptions& common, const ExplainArgs& args) {
  MatchContext ctx;
  if (int rc = openMatchContext(common, args.pipeline, args.store, ctx); rc != kExitOk) return rc;
  soci::session& sql = ctx.store->session();
  auto a = match::findRecord(sql, args.recordA);
  auto b = match::findRecord(sql, args.recordB);
  if (!a || !b) {
    std::cerr << (!a ? a.status().message() : b.status().message()) << "\n";
    return kExitInvalid;
  }
  match::Resolver resolver(sql, ctx.store->backend(), ctx.matcher, ctx.validated.spec.name, ctx.sources, 0);
  auto ra = resolver.loadRecord(*a);
  auto rb = resolver.loadRecord(*b);
  if (!ra || !rb) {
    std::cerr << (!ra ? ra.status().message() : rb.status().message()) << "\n";
    return kExitInvalid;
  }
  RecordInfo ia = recordInfo(sql, *a), ib = recordInfo(sql, *b);
  const bool same = ia.golden == ib.golden;
  auto explanation = ctx.matcher->explain(*ra, *rb);

  // Blocking: which key values the two share (a pair is only ever compared when they share one).
  const auto& blocker = ctx.matcher->blocker();
  auto ka = blocker.keyValues(*ra), kb = blocker.keyValues(*rb);
  nlohmann::json shared = nlohmann::json::array();
  for (const auto& k : ka) {
    if (std::find(kb.begin(), kb.end(), k) == kb.end()) continue;
    long long n = 0;
    std::string kn = k.key, kv = k.value;
    sql << "SELECT COUNT(*) FROM match_key WHERE key_name = :k AND key_value = :v", soci::use(kn), soci::use(kv),
        soci::into(n);
    const size_t cap = ctx.matcher->config().blocking.maxBlockSize;
    shared.push_back({{"key", k.key}, {"value", k.value}, {"records", n},
                      {"capped", cap > 0 && static_cast<size_t>(n) > cap}});
  }
  // Decisions people made, and how each record joined its golden record.
  nlohmann::json decisions = nlohmann::json::array();
  {
    long long x = 0, y = 0;
    std::string reason, at;
    soci::indicator ri = soci::i_null;
    long long la = std::min(*a, *b), lb = std::max(*a, *b);
    soci::statement st = (sql.prepare << "SELECT first_id, second_id, COALESCE(reason, ''), created_at FROM match_decision "
                                         "WHERE first_id = :a AND second_id = :b",
                          soci::use(la), soci::use(lb), soci::into(x), soci::into(y), soci::into(reason, ri),
                          soci::into(at));
    st.execute();
    while (st.fetch()) decisions.push_back({{"cannot_link", {x, y}}, {"reason", reason}, {"at", at}});
  }
  auto joined = [&](int64_t id) {
    nlohmann::json j = nullptr;
    long long lid = id, survivor = 0;
    std::string expl, rule, at;
    soci::indicator ei = soci::i_null, ri = soci::i_null;
    sql << "SELECT survivor_id, explanation, rule, created_at FROM merge_log WHERE merged_id = :m AND undone_at IS NULL "
           "ORDER BY id DESC LIMIT 1",
        soci::use(lid), soci::into(survivor), soci::into(expl, ei), soci::into(rule, ri), soci::into(at);
    if (sql.got_data()) {
      j = {{"survivor", survivor}, {"rule", rule}, {"at", at},
           {"evidence", nlohmann::json::parse(expl, nullptr, false)}};
    }
    return j;
  };

  nlohmann::json out = {
      {"a", {{"customer", ia.id}, {"golden", ia.golden}, {"source", ia.source}, {"key", ia.key}, {"joined", joined(*a)}}},
      {"b", {{"customer", ib.id}, {"golden", ib.golden}, {"source", ib.source}, {"key", ib.key}, {"joined", joined(*b)}}},
      {"one_customer", same},
      {"pair", explanation.json},
      {"pair_matches", explanation.result.match},
      {"shared_blocking_keys", shared},
      {"decisions", decisions},
  };
  if (args.json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "A: " << describe(ia) << "\nB: " << describe(ib) << "\n\n";
  std::cout << (same ? fmt::format("ONE customer: both belong to golden record {}.\n", ia.golden)
                     : fmt::format("TWO customers: golden records {} and {}.\n", ia.golden, ib.golden));
  std::cout << "\nThe pair compared directly (" << (explanation.result.match ? "a match" : "not a match") << "):\n"
            << explanation.text << "\n";
  if (shared.empty()) {
    std::cout << "\nBlocking: they share no blocking key value, so a run never compares them directly.\n";
  } else {
    std::cout << "\nBlocking: they share";
    for (const auto& s : shared) {
      std::cout << fmt::format(" {}={} ({} records{})", s["key"].get<std::string>(), s["value"].get<std::string>(),
                               s["records"].get<long long>(), s["capped"].get<bool>() ? ", over the frequency cap" : "");
    }
    std::cout << ".\n";
  }
  for (const auto& d : decisions) {
    std::cout << "\nA person decided they are different customers (" << d["at"].get<std::string>() << ")"
              << (d["reason"].get<std::string>().empty() ? "" : ": " + d["reason"].get<std::string>()) << ".\n";
  }
  for (const auto* side : {&out["a"], &out["b"]}) {
    const auto& j = (*side)["joined"];
    if (j.is_null()) continue;
    std::cout << fmt::format("\n{}:{} joined golden record {} ({}): {}\n", (*side)["source"].get<std::string>(),
                             (*side)["key"].get<std::string>(), j["survivor"].get<long long>(),
                             j["at"].get<std::string>(), j["evidence"].dump());
  }
  if (same && !explanation.result.match) {
    std::cout << "\nThey do not match each other directly; they are one customer through other records of the "
                 "golden record (matches are transitive).\n";
  }
  return kExitOk;
}

int unmergeCommand(const CommonOptions& common, const UnmergeArgs& args) {
  MatchContext ctx;
  if (int rc = openMatchContext(common, args.pipeline, args.store, ctx); rc != kExitOk) return rc;
  soci::session& sql = ctx.store->session();
  std::vector<int64_t> ids;
  for (const auto& ref : args.records) {
    auto id = match::findRecord(sql, ref);
    if (!id) {
      std::cerr << id.status().message() << "\n";
      return kExitInvalid;
    }
    ids.push_back(*id);
  }
  if (ctx.store->backend() == "sqlite") sql << "BEGIN IMMEDIATE";
  else sql.begin();
  match::Resolver resolver(sql, ctx.store->backend(), ctx.matcher, ctx.validated.spec.name, ctx.sources, 0);
  const std::string reason = args.reason.empty() ? "crmsync unmerge" : args.reason;
  auto stats = resolver.unmerge(ids, args.all, reason);
  if (!stats) {
    sql.rollback();
    std::cerr << stats.status().message() << "\n";
    return stats.status().code() == StatusCode::kStoreError ? kExitStoreError : kExitInvalid;
  }
  sql.commit();
  std::cout << fmt::format("split: {} record(s) left their golden record, {} joined one, {} golden record(s) "
                           "rewritten; the decision is kept, so later runs do not merge them again\n",
                           stats->split, stats->merged, stats->goldenUpdated);
  return kExitOk;
}

}  // namespace crmsync::cli
