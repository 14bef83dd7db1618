// The pipeline YAML as a typed structure (see docs/pipeline-format.md and pipelines/pipeline.schema.json).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/config/diagnostics.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::config {

/// How the engine's HTTP client talks to a source's web API (the `http` map of a source). Unset values keep
/// the client's defaults: the system's CA store, certificates checked, 10 s to connect, 300 s a request,
/// 4 attempts.
struct SourceHttpSpec {
  std::string caBundle;  // absolute path of a PEM file of trusted CAs
  bool insecure = false;  // certificates not checked: a test peer only; warned about on every run and request
  std::optional<double> timeoutSeconds;
  std::optional<double> connectTimeoutSeconds;
  std::optional<int> maxAttempts;
  Location insecureWhere;
};

/// A source: a connector plugin and its config, exactly as written (references unresolved).
struct SourceSpec {
  std::string name;
  std::string connector;
  YAML::Node config;  // a map, or null when the source has no config
  SourceHttpSpec http;
  Location where;
  Location connectorWhere;
};

/// A stage: its type, an optional scope of sources, and its type-specific keys.
struct StageSpec {
  std::string type;
  std::string name;                  // defaults to the type
  std::vector<std::string> sources;  // empty: every source
  YAML::Node node;                   // the whole stage map
  Location where;
};

struct PipelineSpec {
  std::string file;  // as given
  std::string dir;   // directory of the file, absolute; relative paths in plugin config resolve against it
  int version = 1;
  std::string name;
  std::string store;
  Location storeWhere;
  std::vector<std::string> pluginDirs;  // absolute
  std::vector<SourceSpec> sources;
  std::vector<StageSpec> stages;
};

/// Location of a YAML node in file.
Location locationOf(const std::string& file, const YAML::Node& node);

/// Parses the file's structure: YAML syntax, top-level, source and stage shapes. Problems are added to diags;
/// the returned spec holds whatever could be read, so later checks can still report their own problems.
PipelineSpec parsePipeline(const std::string& path, Diagnostics& diags);

}  // namespace crmsync::config
