#include "cli/commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.hpp"
#include "crmsync/config/references.hpp"
#include "crmsync/pipeline/runner.hpp"
#include "crmsync/pipeline/summary.hpp"
#include "crmsync/pipeline/validate.hpp"
#include "crmsync/plugin/registry.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::cli {
namespace {

// A one-line progress display on a terminal: records read and the rate, rewritten in place.
class ProgressLine {
 public:
  void update(const pipeline::SourceStats& s, bool done) {
    auto now = std::chrono::steady_clock::now();
    if (s.source != current_) {
      current_ = s.source;
      start_ = now;
    }
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(s.read) / secs : 0;
    std::string line = fmt::format("\r  {:<20} {:>12} read  {:>10} rec/s  {:>8} quarantined", s.source,
                                   pipeline::groupDigits(s.read), pipeline::groupDigits(static_cast<int64_t>(rate)),
                                   pipeline::groupDigits(s.quarantined));
    std::fputs(line.c_str(), stderr);
    if (done) std::fputs("\n", stderr);
    std::fflush(stderr);
  }

 private:
  std::string current_;
  std::chrono::steady_clock::time_point start_;
};

void printDiagnostics(const config::Diagnostics& diags) {
  if (!diags.items().empty()) std::cerr << diags.str();
}

}  // namespace

int runCommand(const CommonOptions& common, const RunArgs& args, const std::atomic<bool>& cancel) {
  auto validated = pipeline::validatePipeline(args.pipeline, common.pluginDirs, args.store);
  if (validated.diagnostics.hasErrors()) {
    printDiagnostics(validated.diagnostics);
    std::cerr << fmt::format("{}: {} error(s); the run did not start\n", args.pipeline,
                             validated.diagnostics.errorCount());
    return kExitInvalid;
  }
  printDiagnostics(validated.diagnostics);  // warnings only

  pipeline::RunOptions options;
  options.cancel = &cancel;
  ProgressLine progress;
  if (!common.quiet && !args.noProgress && !common.json && isatty(STDERR_FILENO)) {
    options.progress = [&progress](const pipeline::SourceStats& s, bool done) { progress.update(s, done); };
  }
  auto result = pipeline::runPipeline(validated, options);
  if (args.json) {
    std::cout << pipeline::runSummaryJson(validated.spec.name, result).dump(2) << "\n";
  } else if (!common.quiet || !result.status.isOk()) {
    std::cout << pipeline::formatRunSummary(validated.spec.name, result);
  }
  if (result.status.isOk()) return kExitOk;
  spdlog::error("{}", result.status.message());
  switch (result.status.code()) {
    case StatusCode::kCancelled: return kExitCancelled;
    case StatusCode::kInvalidConfig: return kExitInvalid;
    default: return result.runId == 0 && result.status.code() == StatusCode::kStoreError ? kExitStoreError
                                                                                          : kExitRunFailed;
  }
}

int validateCommand(const CommonOptions& common, const ValidateArgs& args) {
  auto validated = pipeline::validatePipeline(args.pipeline, common.pluginDirs, args.store);
  printDiagnostics(validated.diagnostics);
  if (validated.diagnostics.hasErrors()) {
    std::cerr << fmt::format("{}: {} error(s)\n", args.pipeline, validated.diagnostics.errorCount());
    return kExitInvalid;
  }
  std::cout << fmt::format("{}: ok: pipeline '{}', {} source(s), {} stage(s)\n", args.pipeline, validated.spec.name,
                           validated.spec.sources.size(), validated.spec.stages.size());
  return kExitOk;
}

int pluginsCommand(const CommonOptions& common, const PluginsArgs& args) {
  auto registry = pipeline::loadPlugins(common.pluginDirs, {});
  if (args.json) {
    nlohmann::json j;
    j["plugins"] = nlohmann::json::array();
    for (const auto* p : registry->plugins()) {
      const auto& i = p->info();
      nlohmann::json keys = nlohmann::json::array();
      for (const auto& k : i.configKeys) {
        keys.push_back({{"name", k.name}, {"type", plugin::configTypeName(k.type)}, {"required", k.required},
                        {"default", k.defaultValue ? nlohmann::json(*k.defaultValue) : nlohmann::json()},
                        {"description", k.description}});
      }
      j["plugins"].push_back({{"name", i.name}, {"version", i.version}, {"kind", plugin::pluginKindName(i.kind)},
                              {"abi", fmt::format("{}.{}", i.abiMajor, i.abiMinor)}, {"path", i.path},
                              {"description", i.description}, {"config", keys}});
    }
    j["refused"] = nlohmann::json::array();
    for (const auto& r : registry->refusals()) {
      j["refused"].push_back({{"path", r.path}, {"symbol", r.symbol}, {"reason", r.reason}});
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  if (registry->plugins().empty()) {
    std::cout << "no plugins found; searched: --plugin-dir, CRMSYNC_PLUGIN_PATH and the default directories\n";
  }
  for (const auto* p : registry->plugins()) {
    const auto& i = p->info();
    std::cout << fmt::format("{} {}  ({}, ABI {}.{})\n  {}\n  {}\n", i.name, i.version, plugin::pluginKindName(i.kind),
                             i.abiMajor, i.abiMinor, i.path, i.description);
    for (const auto& k : i.configKeys) {
      std::string extra = k.required ? "required" : (k.defaultValue ? "default " + *k.defaultValue : "optional");
      std::cout << fmt::format("    {:<18} {:<12} {:<22} {}\n", k.name, plugin::configTypeName(k.type), extra,
                               k.description);
    }
    std::cout << "\n";
  }
  for (const auto& r : registry->refusals()) std::cout << "refused: " << r.message() << "\n";
  return kExitOk;
}

int statusCommand(const CommonOptions& common, const StatusArgs& args) {
  std::string url = args.store;
  std::string baseDir;
  if (url.empty() && !args.pipeline.empty()) {
    config::Diagnostics diags;
    auto spec = config::parsePipeline(args.pipeline, diags);
    if (diags.hasErrors()) {
      std::cerr << diags.str();
      return kExitInvalid;
    }
    url = spec.store;
    baseDir = spec.dir;
  }
  if (url.empty()) url = "crmsync.db";
  auto resolved = config::resolveReferences(url, baseDir);
  if (!resolved) {
    std::cerr << "store: " << resolved.status().message() << "\n";
    return kExitInvalid;
  }
  auto store = store::Store::open(*resolved);
  if (!store) {
    spdlog::error("{}", store.status().message());
    return kExitStoreError;
  }
  auto runs = (*store)->recentRuns(args.limit);
  if (!runs) {
    spdlog::error("{}", runs.status().message());
    return kExitStoreError;
  }
  (void)common;
  if (args.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : *runs) {
      j.push_back({{"id", r.id}, {"pipeline", r.pipeline}, {"status", r.status}, {"started_at", r.startedAt},
                   {"finished_at", r.finishedAt ? nlohmann::json(*r.finishedAt) : nlohmann::json()},
                   {"records_read", r.recordsRead}, {"records_loaded", r.recordsLoaded},
                   {"records_quarantined", r.recordsQuarantined},
                   {"error", r.error ? nlohmann::json(*r.error) : nlohmann::json()},
                   {"stats", nlohmann::json::parse(r.statsJson.empty() ? "{}" : r.statsJson, nullptr, false)}});
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  if (runs->empty()) {
    std::cout << "no runs yet\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:>5}  {:<16} {:<10} {:<24} {:>10} {:>10} {:>12}\n", "run", "pipeline", "status",
                           "started", "read", "loaded", "quarantined");
  for (const auto& r : *runs) {
    std::cout << fmt::format("{:>5}  {:<16} {:<10} {:<24} {:>10} {:>10} {:>12}\n", r.id, r.pipeline, r.status,
                             r.startedAt, pipeline::groupDigits(r.recordsRead), pipeline::groupDigits(r.recordsLoaded),
                             pipeline::groupDigits(r.recordsQuarantined));
    if (r.error) std::cout << "       error: " << *r.error << "\n";
  }
  auto customers = (*store)->customerCount();
  if (customers) std::cout << "golden customers: " << pipeline::groupDigits(*customers) << "\n";
  return kExitOk;
}

int versionCommand() {
  std::cout << fmt::format("crmsync {}\nplugin ABI {}.{}\n", kVersion, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  return kExitOk;
}

}  // namespace crmsync::cli
