// The dedupe stage: collects the customer records the load stage inserted or changed, and when every source was
// read matches them against the golden records (engine/src/match, docs/matching.md) inside the run's
// transaction, so merges commit or roll back with the records.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "crmsync/match/resolver.hpp"
#include "crmsync/pipeline/stage.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::pipeline {
namespace {

class DedupeStage : public Stage {
 public:
  DedupeStage(std::shared_ptr<match::Matcher> matcher, std::vector<std::string> sources)
      : matcher_(std::move(matcher)), sources_(std::move(sources)) {}

  Status process(const std::string& source, std::vector<Record>& records, std::vector<Rejected>&,
                 RunContext& run) override {
    auto it = std::find(sources_.begin(), sources_.end(), source);
    if (it == sources_.end()) return Status::ok();
    const int32_t group = static_cast<int32_t>(it - sources_.begin());
    const auto& fields = matcher_->config().fields.names();
    for (auto& u : run.upserted) {
      const Record& r = records[u.index];
      match::MatchRecord m;
      m.id = u.customerId;
      m.group = group;
      m.values.resize(fields.size());
      for (size_t f = 0; f < fields.size(); ++f) {
        auto v = r.get(fields[f]);
        if (v && !v->empty()) m.values[f] = std::move(v);
      }
      auto [slot, inserted] = index_.emplace(u.customerId, fresh_.size());
      if (inserted) {
        fresh_.push_back(std::move(m));
        oldPayloads_.push_back(std::move(u.oldPayload));
      } else {
        fresh_[slot->second] = std::move(m);  // the same record twice in one run: the last one counts, the
      }                                        // payload before the run stays the one to unindex
    }
    return Status::ok();
  }

  Status finish(RunContext& run) override {
    if (!run.txn) return internalError("the dedupe stage needs a run transaction");
    match::Resolver resolver(run.txn->session(), run.txn->backend(), matcher_, run.spec.name, sources_,
                             run.txn->runId());
    ASSIGN_OR_RETURN(auto stats, resolver.resolve(std::move(fresh_), oldPayloads_));
    fresh_.clear();
    oldPayloads_.clear();
    index_.clear();
    spdlog::info("[dedupe] {} new or changed records, {} re-clustered, {} candidate pairs, {} matches, {} merged, "
                 "{} split, {} golden records written{} in {:.2f}s",
                 stats.records, stats.affected, stats.candidatePairs, stats.matchedPairs, stats.merged, stats.split,
                 stats.goldenUpdated, stats.fullRematch ? " (full match)" : "", stats.seconds);
    run.figures[matcher_->config().stage] = stats.toJson().dump();
    return Status::ok();
  }

 private:
  std::shared_ptr<match::Matcher> matcher_;
  std::vector<std::string> sources_;
  std::vector<match::MatchRecord> fresh_;
  std::vector<std::string> oldPayloads_;
  std::unordered_map<int64_t, size_t> index_;
};

std::vector<std::string> stageSources(const config::StageSpec& stage, const config::PipelineSpec& spec) {
  if (!stage.sources.empty()) return stage.sources;
  std::vector<std::string> out;
  for (const auto& s : spec.sources) out.push_back(s.name);
  return out;
}

}  // namespace

StageFactory dedupeStageFactory() {
  StageFactory f;
  f.type = "dedupe";
  f.description =
      "Matches new and changed customer records against the golden records (blocking, comparisons, rules or "
      "Fellegi-Sunter) and merges them, with survivorship per field; must follow the load stage";
  f.customKeys = {"comparisons", "blocking", "model", "clustering", "survivorship"};
  f.validate = [](const config::StageSpec& stage, const config::PipelineSpec& spec, config::Diagnostics& diags) {
    auto cfg = match::parseDedupeConfig(stage.node, stage.name, spec.file, spec.dir, diags);
    // Order: after an explicit load stage, and only one dedupe stage (the matching state is one per database).
    bool loadBefore = false, seenSelf = false;
    int dedupes = 0;
    for (const auto& s : spec.stages) {
      if (&s == &stage) seenSelf = true;
      if (s.type == "load" && !seenSelf) loadBefore = true;
      if (s.type == "dedupe") ++dedupes;
    }
    if (!loadBefore) {
      diags.error(stage.where, "stage '" + stage.name + "' matches loaded records: put '- type: load' before it");
    }
    if (dedupes > 1 && &stage != &spec.stages.front()) {
      bool first = true;
      for (const auto& s : spec.stages) {
        if (s.type != "dedupe") continue;
        if (&s != &stage) first = false;
        break;
      }
      if (!first) diags.error(stage.where, "a pipeline has at most one dedupe stage; list every source in its 'sources'");
    }
    if (cfg && cfg->clustering == match::ClusteringMode::kOneToOne) {
      auto sources = stageSources(stage, spec);
      for (const auto& l : cfg->link) {
        if (std::find(sources.begin(), sources.end(), l) == sources.end()) {
          diags.error(config::locationOf(spec.file, stage.node["clustering"]),
                      "clustering links source '" + l + "', which the stage does not match");
        }
      }
    }
  };
  f.create = [](const config::StageSpec& stage, const config::PipelineSpec& spec) -> Result<std::unique_ptr<Stage>> {
    config::Diagnostics diags;
    auto cfg = match::parseDedupeConfig(stage.node, stage.name, spec.file, spec.dir, diags);
    if (!cfg) return invalidConfig(diags.str());
    ASSIGN_OR_RETURN(auto matcher, match::Matcher::create(*cfg));
    return std::unique_ptr<Stage>(std::make_unique<DedupeStage>(std::move(matcher), stageSources(stage, spec)));
  };
  return f;
}

}  // namespace crmsync::pipeline
