#include <algorithm>

#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {

const StageRegistry& StageRegistry::builtin() {
  static const StageRegistry registry = [] {
    StageRegistry r;
    r.add(mapStageFactory());
    r.add(normalizeStageFactory());
    r.add(loadStageFactory());
    r.add(dedupeStageFactory());
    return r;
  }();
  return registry;
}

void StageRegistry::add(StageFactory factory) { factories_.push_back(std::move(factory)); }

const StageFactory* StageRegistry::find(const std::string& type) const {
  auto it = std::find_if(factories_.begin(), factories_.end(), [&](const StageFactory& f) { return f.type == type; });
  return it == factories_.end() ? nullptr : &*it;
}

std::vector<std::string> StageRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& f : factories_) out.push_back(f.type);
  return out;
}

}  // namespace crmsync::pipeline
