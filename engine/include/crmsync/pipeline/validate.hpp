// `crmsync validate`: everything that can be checked before a run, reported at once with file:line:column.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crmsync/config/diagnostics.hpp"
#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/plugin/registry.hpp"

namespace crmsync::pipeline {

struct Validated {
  config::PipelineSpec spec;
  config::Diagnostics diagnostics;
  std::unique_ptr<plugin::PluginRegistry> plugins;  // loaded from the default, pipeline and extra directories
};

/// Parses and checks a pipeline file: YAML shape, unknown keys, types, connectors and their declared config
/// keys, stage types and keys, stage scopes, store URL, and ${env:}/${file:} references (never printing values).
/// extraPluginDirs come first (the CLI's --plugin-dir). storeOverride replaces the file's store when not empty.
Validated validatePipeline(const std::string& path, const std::vector<std::string>& extraPluginDirs,
                           const std::string& storeOverride = "");

/// Loads plugins from the directories in search order: extra, the pipeline's, then the defaults.
std::unique_ptr<plugin::PluginRegistry> loadPlugins(const std::vector<std::string>& extraDirs,
                                                    const std::vector<std::string>& pipelineDirs);

}  // namespace crmsync::pipeline
