// The subcommands of the crmsync CLI.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace crmsync::cli {

inline constexpr const char* kVersion = "0.1.0";

struct CommonOptions {
  bool quiet = false;
  bool verbose = false;
  bool json = false;  // JSON logs
  std::vector<std::string> pluginDirs;
};

struct RunArgs {
  std::string pipeline;
  std::string store;
  bool noProgress = false;
  bool json = false;
};

struct ValidateArgs {
  std::string pipeline;
  std::string store;
};

struct PluginsArgs {
  bool json = false;
};

struct StatusArgs {
  std::string store;
  std::string pipeline;
  int limit = 10;
  bool json = false;
};

struct ExplainArgs {
  std::string pipeline;
  std::string store;
  std::string recordA;
  std::string recordB;
  bool json = false;
};

struct UnmergeArgs {
  std::string pipeline;
  std::string store;
  std::vector<std::string> records;
  bool all = false;
  std::string reason;
};

int runCommand(const CommonOptions& common, const RunArgs& args, const std::atomic<bool>& cancel);
int validateCommand(const CommonOptions& common, const ValidateArgs& args);
int pluginsCommand(const CommonOptions& common, const PluginsArgs& args);
int statusCommand(const CommonOptions& common, const StatusArgs& args);
int versionCommand();
int explainCommand(const CommonOptions& common, const ExplainArgs& args);
int unmergeCommand(const CommonOptions& common, const UnmergeArgs& args);

}  // namespace crmsync::cli
