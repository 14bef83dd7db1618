// The map stage: rename fields, set constants, build fields from templates, drop fields.
#include <nlohmann/json.hpp>

#include "crmsync/config/key_check.hpp"
#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {
namespace {

// A template such as "{family_name}{given_name}" split into literal text and field references.
struct TemplatePart {
  bool isField = false;
  std::string text;
};

Result<std::vector<TemplatePart>> parseTemplate(const std::string& tmpl) {
  std::vector<TemplatePart> parts;
  std::string literal;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (c == '}' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (c == '{') {
      auto end = tmpl.find('}', i);
      if (end == std::string::npos) return invalidConfig("unclosed '{' in template '" + tmpl + "'");
      std::string field = tmpl.substr(i + 1, end - i - 1);
      if (field.empty()) return invalidConfig("empty '{}' in template '" + tmpl + "'");
      if (!literal.empty()) parts.push_back({false, std::move(literal)});
      literal.clear();
      parts.push_back({true, field});
      i = end;
    } else if (c == '}') {
      return invalidConfig("unmatched '}' in template '" + tmpl + "' (write '}}' for a literal brace)");
    } else {
      literal += c;
    }
  }
  if (!literal.empty()) parts.push_back({false, std::move(literal)});
  return parts;
}

std::vector<std::pair<std::string, std::string>> mapEntries(const YAML::Node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!node || !node.IsMap()) return out;
  for (const auto& kv : node) out.emplace_back(kv.first.Scalar(), kv.second.IsScalar() ? kv.second.Scalar() : "");
  return out;
}

class MapStage : public Stage {
 public:
  MapStage(std::vector<std::pair<std::string, std::string>> rename,
           std::vector<std::pair<std::string, std::vector<TemplatePart>>> templates,
           std::vector<std::pair<std::string, std::string>> constants, std::vector<std::string> drop)
      : rename_(std::move(rename)), templates_(std::move(templates)), constants_(std::move(constants)),
        drop_(std::move(drop)) {}

  Status process(const std::string&, std::vector<Record>& records, std::vector<Rejected>&, RunContext&) override {
    for (auto& r : records) {
      for (const auto& [from, to] : rename_) {
        auto* v = from == to ? nullptr : r.find(from);
        if (!v) continue;
        auto value = std::move(*v);
        r.erase(from);
        r.set(to, std::move(value));  // replaces a field that already had the new name
      }
      for (const auto& [field, parts] : templates_) {
        std::string out;
        bool any = false;
        for (const auto& p : parts) {
          if (!p.isField) {
            out += p.text;
            continue;
          }
          if (auto v = r.get(p.text); v && !v->empty()) {
            out += *v;
            any = true;
          }
        }
        // A template whose every field is empty yields null, not the bare literal text.
        r.set(field, any ? std::optional<std::string>(std::move(out)) : std::nullopt);
      }
      for (const auto& [field, value] : constants_) r.set(field, value);
      for (const auto& field : drop_) r.erase(field);
    }
    return Status::ok();
  }

 private:
  std::vector<std::pair<std::string, std::string>> rename_;
  std::vector<std::pair<std::string, std::vector<TemplatePart>>> templates_;
  std::vector<std::pair<std::string, std::string>> constants_;
  std::vector<std::string> drop_;
};

}  // namespace

StageFactory mapStageFactory() {
  StageFactory f;
  f.type = "map";
  f.description = "Renames fields, sets constants, builds fields from templates and drops fields, in that order";
  f.keys = {
      {"rename", CRMSYNC_CONFIG_MAP, std::nullopt, false, "field -> new name"},
      {"template", CRMSYNC_CONFIG_MAP, std::nullopt, false, "field -> template such as \"{family_name}{given_name}\""},
      {"set", CRMSYNC_CONFIG_MAP, std::nullopt, false, "field -> constant value"},
      {"drop", CRMSYNC_CONFIG_STRING_LIST, std::nullopt, false, "fields to remove"},
  };
  f.validate = [](const config::StageSpec& stage, const config::PipelineSpec& spec, config::Diagnostics& diags) {
    if (auto t = stage.node["template"]; t && t.IsMap()) {
      for (const auto& kv : t) {
        if (!kv.second.IsScalar()) continue;
        auto parsed = parseTemplate(kv.second.Scalar());
        if (!parsed) diags.error(config::locationOf(spec.file, kv.second), parsed.status().message());
      }
    }
  };
  f.create = [](const config::StageSpec& stage, const config::PipelineSpec&) -> Result<std::unique_ptr<Stage>> {
    std::vector<std::pair<std::string, std::vector<TemplatePart>>> templates;
    for (const auto& [field, text] : mapEntries(stage.node["template"])) {
      ASSIGN_OR_RETURN(auto parts, parseTemplate(text));
      templates.emplace_back(field, std::move(parts));
    }
    std::vector<std::string> drop;
    if (auto d = stage.node["drop"]) {
      if (d.IsScalar()) drop.push_back(d.Scalar());
      else for (const auto& x : d) drop.push_back(x.Scalar());
    }
    return std::unique_ptr<Stage>(std::make_unique<MapStage>(mapEntries(stage.node["rename"]), std::move(templates),
                                                             mapEntries(stage.node["set"]), std::move(drop)));
  };
  return f;
}

}  // namespace crmsync::pipeline
