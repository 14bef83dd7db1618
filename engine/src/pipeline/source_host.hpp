// The engine side of one source plugin instance during a run: turns emitted C records into batches, sends
// them through the stages and into the run's transaction, and keeps the source's cursor and figures.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/pipeline/runner.hpp"
#include "crmsync/pipeline/stage.hpp"
#include "crmsync/plugin/host_context.hpp"

namespace crmsync::pipeline {

/// A stage with the sources it applies to (empty: all) and its accumulated time.
struct StageSlot {
  std::string name;
  std::string type;
  std::vector<std::string> sources;
  std::unique_ptr<Stage> stage;
  double seconds = 0;
  bool appliesTo(const std::string& source) const;
};

class BatchWriter;

/// Runs on the source's thread: converts, applies the stages before the load stage, and hands batches and
/// rejected items to the BatchWriter. Counts read and quarantined; the writer counts what it loads.
class SourceHost : public plugin::HostContext {
 public:
  SourceHost(std::string source, std::string baseDir, std::optional<std::string> committedCursor,
             std::vector<StageSlot*> stages, BatchWriter* writer, RunContext& run, const RunOptions& options,
             std::vector<std::string> secrets);

  crmsync_status emit(const crmsync_record* records, size_t count) override;
  crmsync_status reject(const crmsync_rejected& rejected) override;
  const char* getCursor() override;
  crmsync_status setCursor(const char* cursor) override;
  void log(crmsync_log_level level, const std::string& message) override;
  std::optional<std::string> secret(const std::string& reference) override;
  bool cancelled() override;
  /// The source's `http` settings (CA bundle, insecure mode, timeouts, attempts) for the plugin's requests.
  http::ClientOptions httpOptions() override;
  void setHttp(config::SourceHttpSpec http) { http_ = std::move(http); }

  /// The first engine-side failure (a stage or the store), which explains a plugin's non-OK return better
  /// than the plugin can.
  const Status& failure() const { return failure_; }
  const std::optional<std::string>& stagedCursor() const { return staged_; }
  void reportProgress(bool done);
  /// Hands rejected items still held back to the writer; call once the plugin returned.
  void flush();

 private:
  std::string redact(std::string message) const;
  bool hand(std::vector<Record> records, std::vector<Rejected> rejected);

  std::string source_;
  std::string baseDir_;
  std::optional<std::string> committed_;
  std::optional<std::string> staged_;
  std::string cursorBuffer_;
  std::vector<StageSlot*> stages_;
  BatchWriter* writer_;  // null: write on this thread (tests)
  std::vector<Rejected> pendingRejected_;
  RunContext& run_;
  const RunOptions& options_;
  std::vector<std::string> secrets_;  // resolved secret values, masked in plugin log lines
  config::SourceHttpSpec http_;
  Status failure_;
  std::chrono::steady_clock::time_point lastProgress_;
};

}  // namespace crmsync::pipeline
