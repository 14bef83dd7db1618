#include "crmsync/pipeline/summary.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace crmsync::pipeline {

std::string groupDigits(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0) out += ',';
    out += *it;
    ++count;
  }
  if (n < 0) out += '-';
  std::reverse(out.begin(), out.end());
  return out;
}

std::string formatRunSummary(const std::string& pipeline, const RunResult& r) {
  std::string out;
  const char* verdict = r.status.isOk() ? "succeeded" : (r.status.code() == StatusCode::kCancelled ? "was cancelled"
                                                                                                     : "failed");
  out += fmt::format("run {} of pipeline {} {} in {:.2f} s\n", r.runId, pipeline, verdict, r.seconds);
  if (!r.sources.empty()) {
    size_t w = 6;
    bool interactions = false;
    for (const auto& s : r.sources) {
      w = std::max(w, s.source.size());
      interactions = interactions || s.interactions > 0;
    }
    out += fmt::format("  {:<{}}  {:<12} {:>10} {:>10} {:>10} {:>12} {:>10}", "source", w, "connector", "read",
                       "loaded", "unchanged", "quarantined", "customers");
    out += interactions ? fmt::format(" {:>12}\n", "interactions") : "\n";
    for (const auto& s : r.sources) {
      out += fmt::format("  {:<{}}  {:<12} {:>10} {:>10} {:>10} {:>12} {:>10}", s.source, w, s.connector,
                         groupDigits(s.read), groupDigits(s.loaded()), groupDigits(s.unchanged),
                         groupDigits(s.quarantined), groupDigits(s.customers));
      out += interactions ? fmt::format(" {:>12}\n", groupDigits(s.interactions)) : "\n";
    }
  }
  if (!r.stageSeconds.empty()) {
    out += "  stage time:";
    for (const auto& [name, secs] : r.stageSeconds) out += fmt::format(" {} {:.2f} s", name, secs);
    out += "\n";
  }
  for (const auto& [name, figures] : r.stageFigures) {
    auto j = nlohmann::json::parse(figures, nullptr, false);
    if (!j.is_object() || !j.contains("merged")) continue;
    out += fmt::format("  {}: {} new or changed records matched{}, {} merged into a golden record, {} split off, "
                       "{} golden records rewritten\n",
                       name, groupDigits(j.value("records", int64_t{0})),
                       j.value("full_rematch", false) ? " (every record)" : "", groupDigits(j.value("merged", int64_t{0})),
                       groupDigits(j.value("split", int64_t{0})), groupDigits(j.value("golden_updated", int64_t{0})));
  }
  if (r.status.isOk()) {
    out += fmt::format("  golden customers: {}", groupDigits(r.customers));
    if (r.interactions > 0) {
      out += fmt::format("   interactions: {}", groupDigits(r.interactions));
      if (r.unlinkedInteractions > 0) {
        out += fmt::format(" ({} not linked to a customer)", groupDigits(r.unlinkedInteractions));
      }
    }
    out += fmt::format("   store: {}\n", r.store);
  } else {
    out += "  nothing was committed: records, quarantine and cursors are as they were before this run\n";
    out += "  error: " + r.status.message() + "\n";
  }
  return out;
}

nlohmann::json runSummaryJson(const std::string& pipeline, const RunResult& r) {
  nlohmann::json j;
  j["pipeline"] = pipeline;
  j["run_id"] = r.runId;
  j["status"] = r.status.isOk() ? "succeeded" : (r.status.code() == StatusCode::kCancelled ? "cancelled" : "failed");
  if (!r.status.isOk()) j["error"] = r.status.message();
  j["seconds"] = r.seconds;
  j["store"] = r.store;
  j["customers"] = r.customers;
  j["interactions"] = r.interactions;
  j["unlinked_interactions"] = r.unlinkedInteractions;
  j["sources"] = nlohmann::json::array();
  for (const auto& s : r.sources) {
    j["sources"].push_back({{"source", s.source}, {"connector", s.connector}, {"read", s.read},
                            {"loaded", s.loaded()}, {"inserted", s.inserted}, {"updated", s.updated},
                            {"unchanged", s.unchanged}, {"quarantined", s.quarantined}, {"customers", s.customers},
                            {"interactions", s.interactions}, {"seconds", s.seconds}});
  }
  j["stages"] = nlohmann::json::object();
  for (const auto& [name, secs] : r.stageSeconds) j["stages"][name] = secs;
  for (const auto& [name, figures] : r.stageFigures) {
    j["stage_figures"][name] = nlohmann::json::parse(figures, nullptr, false);
  }
  return j;
}

}  // namespace crmsync::pipeline
