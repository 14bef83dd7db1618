// The crmsync command: run, validate, plugins, status, version. The only code not linked into tests.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "crmsync/core/log.hpp"

namespace {

std::atomic<bool> gCancel{false};

void onSignal(int) { gCancel.store(true); }

}  // namespace

int main(int argc, char** argv) {
  using namespace crmsync::cli;
  CLI::App app{"crmsync: CRM integration engine. Loads connector plugins, runs YAML sync pipelines into one "
               "customer database."};
  app.require_subcommand(1);
  // The global options may also come after the subcommand: `crmsync run demo.yaml --quiet`.
  app.fallthrough();
  app.set_version_flag("--version", std::string("crmsync ") + kVersion);

  CommonOptions common;
  std::string logFormat = "text";
  app.add_option("--log-format", logFormat, "Log format on stderr: text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-q,--quiet", common.quiet, "Only warnings and errors; no progress bar");
  app.add_flag("-v,--verbose", common.verbose, "Debug logging");
  app.add_option("--plugin-dir", common.pluginDirs, "Extra plugin directory, searched first (repeatable)");

  RunArgs run;
  auto* runCmd = app.add_subcommand("run", "Validate a pipeline, then run it");
  runCmd->add_option("pipeline", run.pipeline, "Pipeline YAML file")->required()->check(CLI::ExistingFile);
  runCmd->add_option("--store", run.store, "Database URL overriding the pipeline's store");
  runCmd->add_flag("--no-progress", run.noProgress, "No progress bar even on a terminal");
  runCmd->add_flag("--json", run.json, "Print the run summary as JSON on stdout");

  ValidateArgs validate;
  auto* validateCmd = app.add_subcommand("validate", "Check a pipeline and report every problem with file:line:column");
  validateCmd->add_option("pipeline", validate.pipeline, "Pipeline YAML file")->required();
  validateCmd->add_option("--store", validate.store, "Database URL overriding the pipeline's store");

  PluginsArgs plugins;
  auto* pluginsCmd = app.add_subcommand("plugins", "List loadable plugins with their config keys, and refused files");
  pluginsCmd->add_flag("--json", plugins.json, "Print as JSON");

  StatusArgs status;
  auto* statusCmd = app.add_subcommand("status", "Recent runs with their counts");
  statusCmd->add_option("--store", status.store, "Database URL (default: crmsync.db)");
  statusCmd->add_option("--pipeline", status.pipeline, "Take the store from this pipeline file");
  statusCmd->add_option("-n,--limit", status.limit, "How many runs")->check(CLI::PositiveNumber);
  statusCmd->add_flag("--json", status.json, "Print as JSON");

  ExplainArgs explain;
  auto* explainCmd = app.add_subcommand(
      "explain", "Why two customer records are, or are not, one customer (records as SOURCE:KEY or customer id)");
  explainCmd->add_option("pipeline", explain.pipeline, "Pipeline YAML file with the dedupe stage")->required()->check(CLI::ExistingFile);
  explainCmd->add_option("record_a", explain.recordA, "First record: SOURCE:KEY or customer id")->required();
  explainCmd->add_option("record_b", explain.recordB, "Second record: SOURCE:KEY or customer id")->required();
  explainCmd->add_option("--store", explain.store, "Database URL overriding the pipeline's store");
  explainCmd->add_flag("--json", explain.json, "Print as JSON");

  UnmergeArgs unmerge;
  auto* unmergeCmd = app.add_subcommand(
      "unmerge", "Split records out of their golden record; later runs keep them apart");
  unmergeCmd->add_option("pipeline", unmerge.pipeline, "Pipeline YAML file with the dedupe stage")->required()->check(CLI::ExistingFile);
  unmergeCmd->add_option("records", unmerge.records, "Records to split out, together: SOURCE:KEY or customer id")->required();
  unmergeCmd->add_flag("--all", unmerge.all, "Split every record of the golden record apart");
  unmergeCmd->add_option("--reason", unmerge.reason, "Why, kept with the decision");
  unmergeCmd->add_option("--store", unmerge.store, "Database URL overriding the pipeline's store");

  auto* versionCmd = app.add_subcommand("version", "Engine, plugin ABI and library versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInvalid;
  }

  crmsync::log::Format format = crmsync::log::Format::kText;
  crmsync::log::parseFormat(logFormat, format);
  crmsync::log::init(format, common.quiet, common.verbose);
  common.json = format == crmsync::log::Format::kJson;

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);

  if (*runCmd) return runCommand(common, run, gCancel);
  if (*validateCmd) return validateCommand(common, validate);
  if (*pluginsCmd) return pluginsCommand(common, plugins);
  if (*statusCmd) return statusCommand(common, status);
  if (*versionCmd) return versionCommand();
  if (*explainCmd) return explainCommand(common, explain);
  if (*unmergeCmd) return unmergeCommand(common, unmerge);
  return kExitInvalid;
}
