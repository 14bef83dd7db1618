// What a person reads after a run: a per-source table, and the same figures as JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "crmsync/pipeline/runner.hpp"

namespace crmsync::pipeline {

/// "run 3 of pipeline demo succeeded in 0.41 s" and a table: source, connector, read, loaded, unchanged,
/// quarantined, customers; then stage times and the number of golden customers.
std::string formatRunSummary(const std::string& pipeline, const RunResult& result);

nlohmann::json runSummaryJson(const std::string& pipeline, const RunResult& result);

/// 1234567 -> "1,234,567".
std::string groupDigits(int64_t n);

}  // namespace crmsync::pipeline
