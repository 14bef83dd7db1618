// Stages transform batches between sources and the store. Built-in stages (map, normalize, load) and later
// ones (dedupe, audit) register the same way: a factory by type name that declares its keys.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crmsync/config/diagnostics.hpp"
#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/core/record.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/plugin/plugin_info.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::pipeline {

/// Figures of one source in one run.
struct SourceStats {
  std::string source;
  std::string connector;
  int64_t read = 0;         // records the connector emitted or rejected
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t quarantined = 0;  // rejected by the connector or a stage
  int64_t customers = 0;    // customer records of this source in the database after the run
  int64_t interactions = 0;  // interactions of this source in the database after the run
  double seconds = 0;
  int64_t loaded() const { return inserted + updated; }
};

/// What stages share during one run: its transaction and its figures.
struct RunContext {
  const config::PipelineSpec& spec;
  store::RunTransaction* txn;  // null only when a stage is used outside a run (tests, previews)
  std::map<std::string, SourceStats>& sources;
  /// The customer records the load stage inserted or changed in the batch being processed: (position in the
  /// batch, the record's own customer row). Stages after the load stage read it.
  std::vector<store::UpsertCounts::Customer> upserted = {};
  /// Figures a stage reports for the run summary, by stage name (JSON objects).
  std::map<std::string, std::string> figures = {};
};

class Stage {
 public:
  virtual ~Stage() = default;
  /// Transforms one batch of one source in place. Records it cannot accept move to `rejected` with a reason;
  /// they are quarantined and the rest go on.
  virtual Status process(const std::string& source, std::vector<Record>& records, std::vector<Rejected>& rejected,
                         RunContext& run) = 0;
  /// Called once after every source was read, before the run commits. A failed status fails the run.
  virtual Status finish(RunContext& run) {
    (void)run;
    return Status::ok();
  }
};

/// How to check and build one stage type.
struct StageFactory {
  std::string type;
  std::string description;
  /// Keys specific to this type (type, name and sources are common to all stages).
  std::vector<plugin::ConfigKeySpec> keys;
  /// Keys checked by `validate` below instead of by type, e.g. nested structures.
  std::vector<std::string> customKeys;
  std::function<void(const config::StageSpec&, const config::PipelineSpec&, config::Diagnostics&)> validate;
  std::function<Result<std::unique_ptr<Stage>>(const config::StageSpec&, const config::PipelineSpec&)> create;
};

class StageRegistry {
 public:
  /// The registry with the built-in stages.
  static const StageRegistry& builtin();
  void add(StageFactory factory);
  const StageFactory* find(const std::string& type) const;
  std::vector<std::string> types() const;

 private:
  std::vector<StageFactory> factories_;
};

/// Built-in factories, one per file in engine/src/pipeline.
StageFactory mapStageFactory();
StageFactory normalizeStageFactory();
StageFactory loadStageFactory();
StageFactory dedupeStageFactory();

}  // namespace crmsync::pipeline
