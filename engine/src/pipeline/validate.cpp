#include "crmsync/pipeline/validate.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "crmsync/config/key_check.hpp"
#include "crmsync/config/references.hpp"
#include "crmsync/pipeline/stage.hpp"
#include "crmsync/plugin/host_context.hpp"

namespace crmsync::pipeline {
namespace {

// The host a plugin instance sees while validate opens it: it may read its configuration and resolve secrets,
// but it reads nothing: no records, no cursor, no HTTP.
class CheckHost : public plugin::HostContext {
 public:
  explicit CheckHost(std::string baseDir) : baseDir_(std::move(baseDir)) {}
  crmsync_status emit(const crmsync_record*, size_t) override { return CRMSYNC_ERR_UNSUPPORTED; }
  crmsync_status reject(const crmsync_rejected&) override { return CRMSYNC_ERR_UNSUPPORTED; }
  const char* getCursor() override { return nullptr; }
  crmsync_status setCursor(const char*) override { return CRMSYNC_ERR_UNSUPPORTED; }
  void log(crmsync_log_level, const std::string&) override {}
  std::optional<std::string> secret(const std::string& reference) override {
    auto v = config::resolveReferences(reference, baseDir_);
    if (!v) return std::nullopt;
    return *v;
  }
  bool cancelled() override { return false; }
  Result<http::Response> httpSend(const http::Request&) override {
    return Status(StatusCode::kInvalidInput, "validate sends no requests");
  }

 private:
  std::string baseDir_;
};

// Opens and closes one instance of the source with its configuration, so that what only the plugin can check
// (a format name, a time zone, a combination of keys) is reported before a run, not by it.
void checkOpens(const config::PipelineSpec& spec, const config::SourceSpec& src, const plugin::LoadedPlugin& plugin,
                config::Diagnostics& diags) {
  auto values = config::pluginConfigValues(src.config, plugin.info().configKeys, spec.dir);
  if (!values.isOk()) return;  // checkKeys has said why
  std::vector<crmsync_config_entry> entries;
  for (const auto& [k, val] : *values) entries.push_back({k.c_str(), val.c_str()});
  CheckHost host(spec.dir);
  const auto& d = plugin.descriptor();
  void* instance = nullptr;
  if (d.open(plugin::hostApi(), host.handle(), entries.data(), entries.size(), &instance) != CRMSYNC_OK) {
    const char* e = d.last_error(nullptr);
    const std::string why = e && *e ? e : "the connector refused its configuration";
    // A message about one key ("config key 'timezone': ...", as sdk::Config writes it) points at that key.
    config::Location where = src.connectorWhere;
    static const std::regex kKey("config key '([^']+)'");
    std::smatch m;
    if (std::regex_search(why, m, kKey) && src.config.IsMap()) {
      if (const YAML::Node key = src.config[m[1].str()]) where = config::locationOf(spec.file, key);
    }
    diags.error(where, "source '" + src.name + "' (connector '" + src.connector + "'): " + why);
    return;
  }
  d.close(instance);
}

void checkStore(const config::PipelineSpec& spec, const std::string& store, const config::Location& where,
                config::Diagnostics& diags) {
  auto refs = config::findReferences(store);
  if (!refs) {
    diags.error(where, "'store': " + refs.status().message());
    return;
  }
  for (const auto& ref : *refs) {
    if (auto v = config::resolveReference(ref, spec.dir); !v) diags.error(where, "'store': " + v.status().message());
  }
  if (store.rfind("postgres://", 0) == 0) {
    diags.error(where, "'store' scheme postgres:// is not supported; write postgresql://");
  } else if (auto colon = store.find("://"); colon != std::string::npos && store.rfind("postgresql://", 0) != 0 &&
                                             store.rfind("sqlite://", 0) != 0) {
    diags.error(where, "'store' scheme '" + store.substr(0, colon) +
                           "' is not supported (use a file path, sqlite:PATH or postgresql://...)");
  }
}

void checkSources(const Validated& v, config::Diagnostics& diags) {
  std::vector<std::string> known;
  for (const auto* p : v.plugins->plugins()) known.push_back(p->info().name);
  for (const auto& src : v.spec.sources) {
    if (src.connector.empty()) continue;
    const auto* plugin = v.plugins->find(src.connector);
    if (!plugin) {
      std::string msg = "unknown connector '" + src.connector + "' in source '" + src.name + "'";
      if (auto hint = config::didYouMean(src.connector, known); !hint.empty()) {
        msg += "; did you mean '" + hint + "'?";
      } else if (known.empty()) {
        msg += " (no plugins were found: check --plugin-dir, plugin_dirs or CRMSYNC_PLUGIN_PATH)";
      } else {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        msg += " (loaded connectors: " + list + ")";
      }
      // A plugin of that name that was refused is the likely cause: say why.
      for (const auto& r : v.plugins->refusals()) {
        if (r.path.find(src.connector) != std::string::npos) msg += "; note: " + r.message();
      }
      diags.error(src.connectorWhere, msg);
      continue;
    }
    if (plugin->info().kind != CRMSYNC_KIND_SOURCE) {
      diags.error(src.connectorWhere, "plugin '" + src.connector + "' is a " +
                                          plugin::pluginKindName(plugin->info().kind) + ", not a source connector");
      continue;
    }
    if (!src.config.IsDefined() || src.config.IsNull()) {
      for (const auto& k : plugin->info().configKeys) {
        if (k.required) {
          diags.error(src.where, "source '" + src.name + "' needs config key '" + k.name + "' for connector '" +
                                     src.connector + "'");
        }
      }
      continue;
    }
    const size_t before = diags.errorCount();
    config::checkKeys(v.spec.file, src.config, plugin->info().configKeys,
                      "connector '" + src.connector + "' (source '" + src.name + "')", v.spec.dir, diags);
    if (diags.errorCount() == before) checkOpens(v.spec, src, *plugin, diags);
  }
}

void checkStages(const config::PipelineSpec& spec, config::Diagnostics& diags) {
  const auto& registry = StageRegistry::builtin();
  std::set<std::string> sourceNames;
  for (const auto& s : spec.sources) sourceNames.insert(s.name);
  std::vector<std::string> sourceList(sourceNames.begin(), sourceNames.end());
  int loads = 0;
  for (const auto& stage : spec.stages) {
    if (stage.type.empty()) continue;
    const auto* factory = registry.find(stage.type);
    if (!factory) {
      std::string msg = "unknown stage type '" + stage.type + "'";
      if (auto hint = config::didYouMean(stage.type, registry.types()); !hint.empty()) {
        msg += "; did you mean '" + hint + "'?";
      } else {
        std::string list;
        for (const auto& t : registry.types()) list += (list.empty() ? "" : ", ") + t;
        msg += " (known: " + list + ")";
      }
      diags.error(config::locationOf(spec.file, stage.node["type"]), msg);
      continue;
    }
    if (stage.type == "load") ++loads;
    std::vector<std::string> ignored = {"type", "name", "sources"};
    ignored.insert(ignored.end(), factory->customKeys.begin(), factory->customKeys.end());
    config::checkKeys(spec.file, stage.node, factory->keys, "stage '" + stage.name + "'", spec.dir, diags, ignored);
    if (factory->validate) factory->validate(stage, spec, diags);
    if (auto scope = stage.node["sources"]) {
      auto check = [&](const YAML::Node& n) {
        if (!n.IsScalar() || sourceNames.count(n.Scalar())) return;
        std::string msg = "stage '" + stage.name + "' names unknown source '" + n.Scalar() + "'";
        if (auto hint = config::didYouMean(n.Scalar(), sourceList); !hint.empty()) msg += "; did you mean '" + hint + "'?";
        diags.error(config::locationOf(spec.file, n), msg);
      };
      if (scope.IsSequence()) {
        for (const auto& n : scope) check(n);
      } else {
        check(scope);
      }
    }
  }
  if (loads > 1) diags.error(config::Location{spec.file, 0, 0}, "the pipeline has more than one 'load' stage");
}

}  // namespace

std::unique_ptr<plugin::PluginRegistry> loadPlugins(const std::vector<std::string>& extraDirs,
                                                    const std::vector<std::string>& pipelineDirs) {
  auto registry = std::make_unique<plugin::PluginRegistry>();
  std::vector<std::string> dirs = extraDirs;
  dirs.insert(dirs.end(), pipelineDirs.begin(), pipelineDirs.end());
  for (const auto& d : plugin::defaultPluginDirs()) dirs.push_back(d);
  std::set<std::string> seen;
  for (const auto& d : dirs) {
    if (seen.insert(d).second) registry->loadDirectory(d);
  }
  return registry;
}

Validated validatePipeline(const std::string& path, const std::vector<std::string>& extraPluginDirs,
                           const std::string& storeOverride) {
  Validated v;
  v.spec = config::parsePipeline(path, v.diagnostics);
  if (!storeOverride.empty()) {
    v.spec.store = storeOverride;
    v.spec.storeWhere = config::Location{"--store", 0, 0};
  }
  v.plugins = loadPlugins(extraPluginDirs, v.spec.pluginDirs);
  for (const auto& r : v.plugins->refusals()) v.diagnostics.warning(config::Location{r.path, 0, 0}, r.message());
  checkStore(v.spec, v.spec.store, v.spec.storeWhere, v.diagnostics);
  checkSources(v, v.diagnostics);
  checkStages(v.spec, v.diagnostics);
  return v;
}

}  // namespace crmsync::pipeline
