// The load stage: upserts each batch into the run's transaction, keyed by (source, entity, source_key).
#include "crmsync/pipeline/stage.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::pipeline {
namespace {

class LoadStage : public Stage {
 public:
  Status process(const std::string& source, std::vector<Record>& records, std::vector<Rejected>&,
                 RunContext& run) override {
    if (!run.txn) return internalError("the load stage needs a run transaction");
    ASSIGN_OR_RETURN(auto counts, run.txn->upsert(source, records));
    auto& stats = run.sources[source];
    stats.inserted += counts.inserted;
    stats.updated += counts.updated;
    stats.unchanged += counts.unchanged;
    stats.quarantined += counts.quarantined;
    run.upserted = std::move(counts.customers);
    return Status::ok();
  }
};

}  // namespace

StageFactory loadStageFactory() {
  StageFactory f;
  f.type = "load";
  f.description = "Upserts records into the customer database (added at the end when a pipeline omits it)";
  f.create = [](const config::StageSpec&, const config::PipelineSpec&) -> Result<std::unique_ptr<Stage>> {
    return std::unique_ptr<Stage>(std::make_unique<LoadStage>());
  };
  return f;
}

}  // namespace crmsync::pipeline
