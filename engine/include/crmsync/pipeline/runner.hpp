// Runs a validated pipeline: every source from its cursor, through the stages, into the store, in one
// transaction with the run row and the new cursors. Any failure rolls everything back.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/pipeline/stage.hpp"
#include "crmsync/pipeline/validate.hpp"

namespace crmsync::pipeline {

/// Called from the run's thread about every 100 ms while a source reads, and once when it ends.
using ProgressFn = std::function<void(const SourceStats& stats, bool done)>;

struct RunOptions {
  const std::atomic<bool>* cancel = nullptr;
  ProgressFn progress;
};

struct RunResult {
  Status status;
  int64_t runId = 0;
  bool committed = false;
  std::string store;
  std::vector<SourceStats> sources;            // in pipeline order
  std::vector<std::pair<std::string, double>> stageSeconds;  // by stage, in pipeline order
  std::map<std::string, std::string> stageFigures;              // JSON figures a stage reported, by stage name
  int64_t customers = 0;                       // golden customers after the run
  int64_t interactions = 0;                    // interactions after the run
  int64_t unlinkedInteractions = 0;            // of them, not linked to a customer
  double seconds = 0;
};

/// Runs a pipeline that validatePipeline() accepted (diagnostics without errors).
RunResult runPipeline(const Validated& validated, const RunOptions& options);

}  // namespace crmsync::pipeline
