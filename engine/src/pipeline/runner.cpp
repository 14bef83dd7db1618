#include "crmsync/pipeline/runner.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "crmsync/config/key_check.hpp"
#include "crmsync/config/references.hpp"
#include "crmsync/plugin/host_context.hpp"
#include "crmsync/store/store.hpp"
#include "batch_writer.hpp"
#include "source_host.hpp"

namespace crmsync::pipeline {
namespace {

// postgresql://user:secret@host/db -> postgresql://user:***@host/db, for messages and summaries.
std::string maskUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<std::vector<StageSlot>> buildStages(const config::PipelineSpec& spec) {
  std::vector<StageSlot> slots;
  bool hasLoad = false;
  for (const auto& s : spec.stages) {
    const auto* factory = StageRegistry::builtin().find(s.type);
    if (!factory) return invalidConfig("unknown stage type '" + s.type + "'");
    ASSIGN_OR_RETURN(auto stage, factory->create(s, spec));
    slots.push_back({s.name, s.type, s.sources, std::move(stage), 0});
    hasLoad = hasLoad || s.type == "load";
  }
  if (!hasLoad) {
    config::StageSpec load;
    load.type = load.name = "load";
    ASSIGN_OR_RETURN(auto stage, StageRegistry::builtin().find("load")->create(load, spec));
    slots.push_back({"load", "load", {}, std::move(stage), 0});
  }
  return slots;
}

nlohmann::json statsJson(const RunResult& r) {
  nlohmann::json j;
  j["sources"] = nlohmann::json::array();
  for (const auto& s : r.sources) {
    j["sources"].push_back({{"source", s.source}, {"connector", s.connector}, {"read", s.read},
                            {"inserted", s.inserted}, {"updated", s.updated}, {"unchanged", s.unchanged},
                            {"quarantined", s.quarantined}, {"customers", s.customers}, {"interactions", s.interactions},
                            {"seconds", s.seconds}});
  }
  j["stages"] = nlohmann::json::object();
  for (const auto& [name, secs] : r.stageSeconds) j["stages"][name] = secs;
  for (const auto& [name, figures] : r.stageFigures) {
    j["stage_figures"][name] = nlohmann::json::parse(figures, nullptr, false);
  }
  j["seconds"] = r.seconds;
  return j;
}

// Values that must never reach a log line: SECRET keys and anything that came from a reference.
std::vector<std::string> secretValues(const YAML::Node& config, const plugin::PluginInfo& info,
                                      const std::map<std::string, std::string>& values) {
  std::vector<std::string> out;
  for (const auto& k : info.configKeys) {
    auto it = values.find(k.name);
    if (it == values.end() || it->second.empty()) continue;
    bool fromReference = false;
    if (config.IsDefined() && config.IsMap()) {
      auto raw = config[k.name];
      fromReference = raw && raw.IsScalar() && raw.Scalar().find("${") != std::string::npos;
    }
    if (k.type == CRMSYNC_CONFIG_SECRET || fromReference) out.push_back(it->second);
  }
  return out;
}

class Runner {
 public:
  Runner(const Validated& v, const RunOptions& options) : v_(v), spec_(v.spec), options_(options) {}

  RunResult run() {
    t0_ = std::chrono::steady_clock::now();
    startedAt_ = store::nowIso8601();
    result_.store = maskUrl(spec_.store);
    Status st = execute();
    writer_.reset();  // idle by now; it holds a reference to execute()'s run context
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    if (!st.isOk()) {
      if (txn_) txn_->rollback();
      txn_.reset();
      if (store_) {
        auto failed = store_->recordFailedRun(spec_.name, startedAt_, st.message(), statsJson(result_).dump());
        if (failed) result_.runId = *failed;
        else spdlog::error("could not record the failed run: {}", failed.status().message());
      }
    }
    result_.status = st;
    return result_;
  }

 private:
  Status execute() {
    ASSIGN_OR_RETURN(stages_, buildStages(spec_));
    ASSIGN_OR_RETURN(auto url, config::resolveReferences(spec_.store, spec_.dir));
    auto opened = store::Store::open(url);
    if (!opened) return opened.status().withContext("store " + maskUrl(spec_.store));
    store_ = std::move(opened).value();

    std::map<std::string, std::optional<std::string>> cursors;
    for (const auto& src : spec_.sources) {
      ASSIGN_OR_RETURN(cursors[src.name], store_->cursor(spec_.name, src.name));
    }
    ASSIGN_OR_RETURN(txn_, store_->beginRun(spec_.name));
    result_.runId = txn_->runId();
    RunContext ctx{spec_, txn_.get(), stats_};
    // Stages before the load stage run on the source's thread; the load stage and later ones on the writer's.
    std::vector<StageSlot*> pre, post;
    for (auto& slot : stages_) (post.empty() && slot.type != "load" ? pre : post).push_back(&slot);
    preStages_ = pre;
    writer_ = std::make_unique<BatchWriter>(post, ctx);

    for (const auto& src : spec_.sources) {
      auto t = std::chrono::steady_clock::now();
      Status st = readSource(src, cursors[src.name], ctx);
      auto& s = stats_[src.name];
      s.source = src.name;
      s.connector = src.connector;
      s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      if (!st.isOk()) {
        collect();
        return st;
      }
    }
    writer_.reset();
    for (auto& slot : stages_) {
      auto t = std::chrono::steady_clock::now();
      Status st = slot.stage->finish(ctx);
      slot.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      if (!st.isOk()) {
        collect();
        return st.withContext("stage '" + slot.name + "'");
      }
    }
    result_.stageFigures = ctx.figures;
    for (auto& [name, s] : stats_) {
      soci::session& sql = store_->session();
      long long n = 0;
      sql << "SELECT count(*) FROM source_record WHERE source = :s AND entity = 'customer'", soci::use(name),
          soci::into(n);
      s.customers = n;
      sql << "SELECT count(*) FROM interaction WHERE source = :s", soci::use(name), soci::into(n);
      s.interactions = n;
    }
    collect();
    int64_t read = 0, loaded = 0, quarantined = 0;
    for (const auto& s : result_.sources) {
      read += s.read;
      loaded += s.loaded();
      quarantined += s.quarantined;
    }
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    RETURN_IF_ERROR(txn_->commit(read, loaded, quarantined, statsJson(result_).dump()));
    txn_.reset();
    result_.committed = true;
    ASSIGN_OR_RETURN(result_.customers, store_->customerCount());
    for (const auto& s : result_.sources) result_.interactions += s.interactions;
    if (result_.interactions > 0) {
      long long unlinked = 0;
      store_->session() << "SELECT count(*) FROM interaction WHERE customer_id IS NULL", soci::into(unlinked);
      result_.unlinkedInteractions = unlinked;
    }
    return Status::ok();
  }

  // Copies per-source and per-stage figures into the result, in pipeline order.
  void collect() {
    result_.sources.clear();
    for (const auto& src : spec_.sources) {
      auto it = stats_.find(src.name);
      if (it != stats_.end()) result_.sources.push_back(it->second);
    }
    result_.stageSeconds.clear();
    for (const auto& slot : stages_) result_.stageSeconds.emplace_back(slot.name, slot.seconds);
  }

  Status readSource(const config::SourceSpec& src, const std::optional<std::string>& cursor, RunContext& ctx) {
    const auto* plugin = v_.plugins->find(src.connector);
    if (!plugin) return pluginError("connector '" + src.connector + "' of source '" + src.name + "' is not loaded");
    const auto& d = plugin->descriptor();
    const std::string who = "source '" + src.name + "' (connector '" + src.connector + "')";
    ASSIGN_OR_RETURN(auto values, config::pluginConfigValues(src.config, plugin->info().configKeys, spec_.dir));
    std::vector<crmsync_config_entry> entries;
    for (const auto& [k, val] : values) entries.push_back({k.c_str(), val.c_str()});

    auto& stats = stats_[src.name];
    stats.source = src.name;
    stats.connector = src.connector;
    SourceHost host(src.name, spec_.dir, cursor, preStages_, writer_.get(), ctx, options_,
                    secretValues(src.config, plugin->info(), values));
    host.setHttp(src.http);
    if (src.http.insecure) {
      spdlog::warn("[{}] http.insecure is set ({}): the certificates of the servers this source calls are not "
                   "checked, so anyone on the network path can read and change what it reads; use it only with a "
                   "test server, and give a CA bundle (http.ca_bundle) instead",
                   src.name, src.http.insecureWhere.str());
    }
    spdlog::info("[{}] reading with {} {}", src.name, src.connector, plugin->info().version);

    void* instance = nullptr;
    crmsync_status st = d.open(plugin::hostApi(), host.handle(), entries.data(), entries.size(), &instance);
    if (st != CRMSYNC_OK) {
      const char* e = d.last_error(nullptr);
      return pluginError(who + ": open failed: " + (e && *e ? e : "no reason given"));
    }
    st = d.read(instance);
    std::string error;
    if (st != CRMSYNC_OK) {
      const char* e = d.last_error(instance);
      error = e && *e ? e : "no reason given";
    }
    d.close(instance);
    host.flush();
    Status written = writer_->drain();
    host.reportProgress(true);
    if (!written.isOk()) return written;
    if (!host.failure().isOk()) return host.failure();
    if (st == CRMSYNC_ERR_CANCELLED || host.cancelled()) return Status(StatusCode::kCancelled, "run cancelled");
    if (st != CRMSYNC_OK) return pluginError(who + ": " + error);
    if (host.stagedCursor()) RETURN_IF_ERROR(ctx.txn->setCursor(spec_.name, src.name, *host.stagedCursor()));
    return Status::ok();
  }

  const Validated& v_;
  const config::PipelineSpec& spec_;
  const RunOptions& options_;
  RunResult result_;
  std::string startedAt_;
  std::chrono::steady_clock::time_point t0_;
  std::vector<StageSlot> stages_;
  std::vector<StageSlot*> preStages_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::RunTransaction> txn_;
  std::map<std::string, SourceStats> stats_;
  std::unique_ptr<BatchWriter> writer_;  // declared last: stopped before the transaction and stages go
};

}  // namespace

RunResult runPipeline(const Validated& validated, const RunOptions& options) {
  if (validated.diagnostics.hasErrors()) {
    RunResult r;
    r.status = invalidConfig("the pipeline has errors:\n" + validated.diagnostics.str());
    return r;
  }
  return Runner(validated, options).run();
}

}  // namespace crmsync::pipeline
