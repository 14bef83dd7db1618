#include "crmsync/config/pipeline_spec.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace crmsync::config {
namespace {

const std::vector<std::string> kTopLevelKeys = {"version", "name", "description", "store", "plugin_dirs", "sources",
                                                "stages"};
const std::vector<std::string> kSourceKeys = {"name", "connector", "config", "description", "http"};
const std::vector<std::string> kHttpKeys = {"ca_bundle", "insecure", "timeout_s", "connect_timeout_s", "max_attempts"};

std::string nodeKind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "empty";
    default: return "undefined";
  }
}

void unknownKey(const std::string& file, const YAML::Node& key, const std::vector<std::string>& allowed,
                const std::string& where, Diagnostics& diags) {
  std::string k = key.Scalar();
  std::string msg = "unknown key '" + k + "' in " + where;
  if (auto hint = didYouMean(k, allowed); !hint.empty()) msg += "; did you mean '" + hint + "'?";
  diags.error(locationOf(file, key), msg);
}

bool isIdentifier(const std::string& s) {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_\\-]*");
  return std::regex_match(s, re);
}

std::string requireString(const std::string& file, const YAML::Node& parent, const YAML::Node& node,
                          const std::string& key, const std::string& where, Diagnostics& diags) {
  if (!node) {
    diags.error(locationOf(file, parent), where + " needs '" + key + "'");
    return "";
  }
  if (!node.IsScalar()) {
    diags.error(locationOf(file, node), "'" + key + "' in " + where + " must be a string, not " + nodeKind(node));
    return "";
  }
  return node.Scalar();
}

// The `http` map of a source: every value checked, a relative CA bundle resolved against the pipeline's folder.
SourceHttpSpec parseHttp(const std::string& file, const std::string& dir, const YAML::Node& node,
                         const std::string& where, Diagnostics& diags) {
  SourceHttpSpec http;
  if (!node.IsMap()) {
    diags.error(locationOf(file, node), "'http' of " + where + " must be a map, not " + nodeKind(node));
    return http;
  }
  const std::string in = "'http' of " + where;
  for (const auto& kv : node) {
    const std::string k = kv.first.Scalar();
    if (std::find(kHttpKeys.begin(), kHttpKeys.end(), k) == kHttpKeys.end()) {
      unknownKey(file, kv.first, kHttpKeys, in, diags);
    }
  }
  auto positive = [&](const char* key, double max) -> std::optional<double> {
    const YAML::Node v = node[key];
    if (!v) return std::nullopt;
    double d = 0;
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, d) || !(d > 0) || d > max) {
      diags.error(locationOf(file, v), "'" + std::string(key) + "' in " + in + " must be a number above 0 and at most " +
                                           std::to_string(static_cast<long long>(max)));
      return std::nullopt;
    }
    return d;
  };
  if (const YAML::Node ca = node["ca_bundle"]) {
    if (!ca.IsScalar() || ca.Scalar().empty()) {
      diags.error(locationOf(file, ca), "'ca_bundle' in " + in + " must be the path of a PEM file");
    } else {
      std::filesystem::path path(ca.Scalar());
      if (path.is_relative()) path = std::filesystem::path(dir) / path;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        diags.error(locationOf(file, ca), "'ca_bundle' in " + in + ": no such file " + path.string());
      }
      http.caBundle = path.lexically_normal().string();
    }
  }
  if (const YAML::Node v = node["insecure"]) {
    bool b = false;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
      diags.error(locationOf(file, v), "'insecure' in " + in + " must be true or false");
    }
    http.insecure = b;
    http.insecureWhere = locationOf(file, v);
    if (b) {
      diags.warning(http.insecureWhere, "'insecure' in " + in + " turns certificate checks off: use it only with a "
                                        "test server, and 'ca_bundle' for a private CA");
    }
  }
  http.timeoutSeconds = positive("timeout_s", 86400);
  http.connectTimeoutSeconds = positive("connect_timeout_s", 3600);
  if (auto n = positive("max_attempts", 100)) {
    if (*n != static_cast<int>(*n)) {
      diags.error(locationOf(file, node["max_attempts"]), "'max_attempts' in " + in + " must be a whole number");
    } else {
      http.maxAttempts = static_cast<int>(*n);
    }
  }
  return http;
}

void parseSources(const std::string& file, const YAML::Node& node, PipelineSpec& spec, Diagnostics& diags) {
  if (!node.IsSequence()) {
    diags.error(locationOf(file, node), "'sources' must be a list of sources, not " + nodeKind(node));
    return;
  }
  std::set<std::string> seen;
  for (const auto& item : node) {
    const YAML::Node& s = item;
    if (!s.IsMap()) {
      diags.error(locationOf(file, s), "a source must be a map with 'name' and 'connector', not " + nodeKind(s));
      continue;
    }
    SourceSpec src;
    src.where = locationOf(file, s);
    for (const auto& kv : s) {
      const std::string k = kv.first.Scalar();
      if (std::find(kSourceKeys.begin(), kSourceKeys.end(), k) == kSourceKeys.end()) {
        unknownKey(file, kv.first, kSourceKeys, "source", diags);
      }
    }
    src.name = requireString(file, s, s["name"], "name", "source", diags);
    if (!src.name.empty() && !isIdentifier(src.name)) {
      diags.error(locationOf(file, s["name"]),
                  "source name '" + src.name + "' must be letters, digits, '_' or '-', starting with a letter");
    }
    if (!src.name.empty() && !seen.insert(src.name).second) {
      diags.error(locationOf(file, s["name"]), "source name '" + src.name + "' is used twice");
    }
    std::string where = src.name.empty() ? std::string("source") : "source '" + src.name + "'";
    src.connector = requireString(file, s, s["connector"], "connector", where, diags);
    if (s["connector"]) src.connectorWhere = locationOf(file, s["connector"]);
    if (auto c = s["config"]) {
      if (!c.IsMap() && !c.IsNull()) {
        diags.error(locationOf(file, c), "'config' of " + where + " must be a map, not " + nodeKind(c));
      } else {
        src.config = c;
      }
    }
    if (auto h = s["http"]) src.http = parseHttp(file, spec.dir, h, where, diags);
    spec.sources.push_back(std::move(src));
  }
  if (spec.sources.empty()) diags.error(locationOf(file, node), "the pipeline has no sources");
}

void parseStages(const std::string& file, const YAML::Node& node, PipelineSpec& spec, Diagnostics& diags) {
  if (!node.IsSequence()) {
    diags.error(locationOf(file, node), "'stages' must be a list of stages, not " + nodeKind(node));
    return;
  }
  for (const auto& item : node) {
    const YAML::Node& s = item;
    if (!s.IsMap()) {
      diags.error(locationOf(file, s), "a stage must be a map with 'type', not " + nodeKind(s));
      continue;
    }
    StageSpec st;
    st.where = locationOf(file, s);
    st.node = s;
    st.type = requireString(file, s, s["type"], "type", "stage", diags);
    st.name = st.type;
    if (auto n = s["name"]) {
      if (n.IsScalar()) st.name = n.Scalar();
      else diags.error(locationOf(file, n), "stage 'name' must be a string, not " + nodeKind(n));
    }
    if (auto scope = s["sources"]) {
      if (scope.IsScalar()) {
        st.sources.push_back(scope.Scalar());
      } else if (scope.IsSequence()) {
        for (const auto& x : scope) {
          if (x.IsScalar()) st.sources.push_back(x.Scalar());
          else diags.error(locationOf(file, x), "stage 'sources' must list source names");
        }
      } else {
        diags.error(locationOf(file, scope), "stage 'sources' must be a list of source names, not " + nodeKind(scope));
      }
    }
    spec.stages.push_back(std::move(st));
  }
  // Stages without a name are named by type, numbered when a type repeats, so timings stay apart.
  std::map<std::string, int> seen;
  for (auto& st : spec.stages) {
    int n = ++seen[st.name];
    if (n > 1 && !st.node["name"]) st.name += "_" + std::to_string(n);
  }
}

}  // namespace

Location locationOf(const std::string& file, const YAML::Node& node) {
  Location l;
  l.file = file;
  if (node.IsDefined()) {
    auto m = node.Mark();
    if (m.line >= 0) {
      l.line = m.line + 1;
      l.column = m.column + 1;
    }
  }
  return l;
}

PipelineSpec parsePipeline(const std::string& path, Diagnostics& diags) {
  PipelineSpec spec;
  spec.file = path;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  spec.dir = abs.parent_path().string();
  Location fileLoc{path, 0, 0};

  std::ifstream in(path);
  if (!in) {
    diags.error(fileLoc, "cannot open the pipeline file");
    return spec;
  }
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    diags.error(Location{path, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
    return spec;
  }
  if (!root.IsMap()) {
    diags.error(locationOf(path, root), "a pipeline file must be a map with 'sources' and 'stages'");
    return spec;
  }
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), k) == kTopLevelKeys.end()) {
      unknownKey(path, kv.first, kTopLevelKeys, "the pipeline", diags);
    }
  }
  if (auto v = root["version"]) {
    if (!v.IsScalar() || v.Scalar() != "1") {
      diags.error(locationOf(path, v), "unsupported pipeline version '" + (v.IsScalar() ? v.Scalar() : nodeKind(v)) +
                                           "': this crmsync reads version 1");
    }
  }
  spec.name = requireString(path, root, root["name"], "name", "the pipeline", diags);
  if (!spec.name.empty() && !isIdentifier(spec.name)) {
    diags.error(locationOf(path, root["name"]), "pipeline name '" + spec.name +
                                                    "' must be letters, digits, '_' or '-', starting with a letter");
  }
  if (auto s = root["store"]) {
    spec.store = requireString(path, root, s, "store", "the pipeline", diags);
    spec.storeWhere = locationOf(path, s);
  } else {
    spec.store = "crmsync.db";
  }
  if (auto dirs = root["plugin_dirs"]) {
    if (!dirs.IsSequence()) {
      diags.error(locationOf(path, dirs), "'plugin_dirs' must be a list of directories");
    } else {
      for (const auto& d : dirs) {
        if (!d.IsScalar()) {
          diags.error(locationOf(path, d), "'plugin_dirs' entries must be paths");
          continue;
        }
        std::filesystem::path p(d.Scalar());
        if (p.is_relative()) p = std::filesystem::path(spec.dir) / p;
        spec.pluginDirs.push_back(p.lexically_normal().string());
      }
    }
  }
  if (auto s = root["sources"]) parseSources(path, s, spec, diags);
  else diags.error(locationOf(path, root), "the pipeline needs 'sources'");
  if (auto s = root["stages"]) parseStages(path, s, spec, diags);
  return spec;
}

}  // namespace crmsync::config
