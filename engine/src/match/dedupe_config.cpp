#include "crmsync/match/dedupe_config.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "crmsync/match/level_patterns.hpp"
#include "crmsync/match/term_frequency.hpp"

namespace crmsync::match {
namespace {

using config::Diagnostics;
using config::Location;

struct Ctx {
  const std::string& file;
  Diagnostics& diags;
  bool ok = true;
  void error(const YAML::Node& node, std::string message) {
    ok = false;
    diags.error(Location{file, node.Mark().line + 1, node.Mark().column + 1}, std::move(message));
  }
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void checkMapKeys(Ctx& c, const YAML::Node& map, const std::vector<std::string>& known, const std::string& what) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = config::didYouMean(key, known);
    c.error(kv.first, "unknown key '" + key + "' in " + what + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                          "; known: " + joined(known));
  }
}

std::optional<double> number(Ctx& c, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    c.error(n, what + " must be a number");
    return std::nullopt;
  }
  try {
    size_t used = 0;
    double v = std::stod(n.Scalar(), &used);
    if (used != n.Scalar().size() || !std::isfinite(v)) throw std::invalid_argument("");
    return v;
  } catch (...) {
    c.error(n, what + " must be a number, not '" + n.Scalar() + "'");
    return std::nullopt;
  }
}

std::optional<std::string> text(Ctx& c, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    c.error(n, what + " must be a non-empty string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::vector<std::string> stringList(Ctx& c, const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (auto s = text(c, e, what + " entries")) out.push_back(*s);
    }
  } else {
    c.error(n, what + " must be a list of strings");
  }
  return out;
}

std::vector<std::string> comparatorNames() {
  return {"exact", "jaro_winkler", "levenshtein", "damerau_levenshtein", "token_set", "phonetic", "numeric", "date"};
}

void parseComparison(Ctx& c, const YAML::Node& n, DedupeConfig& out) {
  if (!n.IsMap()) {
    c.error(n, "a comparison must be a map with 'field' and 'comparator'");
    return;
  }
  checkMapKeys(c, n, {"name", "field", "comparator", "levels", "options"}, "a comparison");
  ComparisonSpec spec;
  if (!n["field"]) {
    c.error(n, "a comparison needs 'field' (the record field it compares)");
    return;
  }
  auto field = text(c, n["field"], "'field'");
  if (!field) return;
  spec.field = *field;
  spec.name = n["name"] ? n["name"].Scalar() : spec.field;
  if (n["comparator"]) {
    const std::string kind = n["comparator"].Scalar();
    auto k = comparatorKindFromName(kind);
    if (!k) {
      std::string hint = config::didYouMean(kind, comparatorNames());
      c.error(n["comparator"], "unknown comparator '" + kind + "'" +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                   "; known: " + joined(comparatorNames()));
      return;
    }
    spec.kind = *k;
  }
  if (auto levels = n["levels"]) {
    if (!levels.IsSequence() || levels.size() == 0) {
      c.error(levels, "'levels' must be a list of similarity thresholds, highest first, e.g. [1.0, 0.92, 0.85]");
    } else {
      int8_t level = static_cast<int8_t>(levels.size());
      for (const auto& l : levels) {
        auto v = number(c, l, "a level threshold");
        if (!v) continue;
        if (*v < 0 || *v > 1) c.error(l, "a level threshold must be between 0 and 1");
        spec.levels.push_back({*v, level--});
      }
      for (size_t i = 1; i < spec.levels.size(); ++i) {
        if (spec.levels[i].minSimilarity >= spec.levels[i - 1].minSimilarity) {
          c.error(levels, "level thresholds must be strictly descending");
          break;
        }
      }
    }
  }
  if (auto o = n["options"]) {
    if (!o.IsMap()) {
      c.error(o, "'options' must be a map");
    } else {
      checkMapKeys(c, o, {"mode", "scale", "relative", "scale_days", "day_month_swap", "year_typo", "prefix_scale"},
                   "comparison options");
      if (o["mode"]) {
        const std::string m = o["mode"].Scalar();
        if (m == "jaccard") spec.params.tokenSet = TokenSetMode::kJaccard;
        else if (m == "overlap") spec.params.tokenSet = TokenSetMode::kOverlap;
        else c.error(o["mode"], "token_set mode must be 'jaccard' or 'overlap'");
      }
      if (o["scale"]) {
        if (auto v = number(c, o["scale"], "'scale'")) spec.params.numeric.scale = *v;
      }
      if (o["relative"]) spec.params.numeric.relative = o["relative"].Scalar() == "true";
      if (o["scale_days"]) {
        if (auto v = number(c, o["scale_days"], "'scale_days'")) spec.params.date.scaleDays = *v;
      }
      if (o["day_month_swap"]) {
        if (auto v = number(c, o["day_month_swap"], "'day_month_swap'")) spec.params.date.dayMonthSwapSimilarity = *v;
      }
      if (o["year_typo"]) {
        if (auto v = number(c, o["year_typo"], "'year_typo'")) spec.params.date.yearTypoSimilarity = *v;
      }
      if (o["prefix_scale"]) {
        if (auto v = number(c, o["prefix_scale"], "'prefix_scale'")) spec.params.jaroWinkler.prefixScale = *v;
      }
    }
  }
  out.fields.add(spec.field);
  out.comparisons.push_back(std::move(spec));
}

std::vector<std::string> transformNames() {
  return {"exact", "first_chars", "sorted_tokens", "each_token", "phonetic_codes", "last_digits"};
}

void parseKey(Ctx& c, const YAML::Node& n, DedupeConfig& out) {
  if (!n.IsMap()) {
    c.error(n, "a blocking key must be a map with 'name' and 'fields'");
    return;
  }
  checkMapKeys(c, n, {"name", "fields", "method", "window"}, "a blocking key");
  BlockingKey key;
  if (!n["fields"]) {
    c.error(n, "a blocking key needs 'fields'");
    return;
  }
  if (n["name"]) {
    if (auto s = text(c, n["name"], "'name'")) key.name = *s;
  }
  const YAML::Node fields = n["fields"];
  std::vector<YAML::Node> parts;
  if (fields.IsSequence()) {
    for (const auto& e : fields) parts.push_back(e);
  } else {
    parts.push_back(fields);
  }
  for (const auto& p : parts) {
    KeyPart part;
    if (p.IsScalar()) {
      part.field = p.Scalar();
    } else if (p.IsMap()) {
      checkMapKeys(c, p, {"field", "transform", "length"}, "a blocking key part");
      if (!p["field"]) {
        c.error(p, "a key part needs 'field'");
        continue;
      }
      part.field = p["field"].Scalar();
      if (p["transform"]) {
        auto t = keyTransformFromName(p["transform"].Scalar());
        if (!t) {
          std::string hint = config::didYouMean(p["transform"].Scalar(), transformNames());
          c.error(p["transform"], "unknown transform '" + p["transform"].Scalar() + "'" +
                                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                      "; known: " + joined(transformNames()));
          continue;
        }
        part.transform = *t;
      }
      if (p["length"]) {
        auto v = number(c, p["length"], "'length'");
        if (v && (*v < 1 || *v != std::floor(*v))) c.error(p["length"], "'length' must be a positive integer");
        if (v && *v >= 1) part.length = static_cast<size_t>(*v);
      }
      if ((part.transform == KeyTransform::kFirstChars || part.transform == KeyTransform::kLastDigits) &&
          part.length == 0) {
        c.error(p, std::string("transform '") + keyTransformName(part.transform) + "' needs 'length'");
      }
    } else {
      c.error(p, "a key part is a field name or a map {field, transform, length}");
      continue;
    }
    out.fields.add(part.field);
    key.parts.push_back(std::move(part));
  }
  if (key.name.empty()) {
    for (const auto& p : key.parts) key.name += (key.name.empty() ? "" : "+") + p.field;
  }
  if (n["method"]) {
    const std::string m = n["method"].Scalar();
    if (m == "standard") key.method = BlockingMethod::kStandard;
    else if (m == "sorted_neighbourhood" || m == "sorted_neighborhood") key.method = BlockingMethod::kSortedNeighbourhood;
    else c.error(n["method"], "method must be 'standard' or 'sorted_neighbourhood', not '" + m + "'");
  }
  if (n["window"]) {
    auto v = number(c, n["window"], "'window'");
    if (v && (*v < 2 || *v != std::floor(*v))) c.error(n["window"], "'window' must be an integer of at least 2");
    else if (v) key.window = static_cast<size_t>(*v);
  }
  out.keys.push_back(std::move(key));
}

std::vector<std::string> survivorNames() {
  return {"most_frequent", "most_recent", "most_complete", "longest", "source_priority"};
}

std::optional<FieldSurvivorship> parseSurvivor(Ctx& c, const YAML::Node& n) {
  FieldSurvivorship out;
  // Initialised once: assigning to a yaml-cpp node that refers to another would overwrite that one.
  const YAML::Node ruleNode = n.IsMap() ? n["rule"] : n;
  if (n.IsMap()) {
    checkMapKeys(c, n, {"rule", "order"}, "a survivorship rule");
    if (!ruleNode) {
      c.error(n, "a survivorship rule needs 'rule' (" + joined(survivorNames()) + ")");
      return std::nullopt;
    }
    if (n["order"]) out.order = stringList(c, n["order"], "'order'");
  }
  if (!ruleNode.IsScalar()) {
    c.error(ruleNode, "a survivorship rule is one of " + joined(survivorNames()));
    return std::nullopt;
  }
  auto rule = survivorRuleFromName(ruleNode.Scalar());
  if (!rule) {
    std::string hint = config::didYouMean(ruleNode.Scalar(), survivorNames());
    c.error(ruleNode, "unknown survivorship rule '" + ruleNode.Scalar() + "'" +
                          (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; known: " + joined(survivorNames()));
    return std::nullopt;
  }
  out.rule = *rule;
  if (out.rule == SurvivorRule::kSourcePriority && out.order.empty()) {
    c.error(n, "rule source_priority needs 'order' (the sources, most trusted first)");
    return std::nullopt;
  }
  return out;
}

const std::vector<std::string> kCustomerColumns = {
    "kind",    "name", "given_name", "family_name", "company",    "title",     "email",        "phone", "mobile",
    "address", "city", "region",     "country",     "postcode",   "birth_date", "lifecycle", "intent_level", "tags",
};

void parseModel(Ctx& c, const YAML::Node& n, const std::string& baseDir, DedupeConfig& out) {
  if (!n.IsMap()) {
    c.error(n, "'model' must be a map with 'type' (rules or fellegi_sunter)");
    return;
  }
  const std::string type = n["type"] ? n["type"].Scalar() : "";
  if (type == "rules") {
    checkMapKeys(c, n, {"type", "rule"}, "a rules model");
    out.model = ModelType::kRules;
    if (!n["rule"]) {
      c.error(n, "a rules model needs 'rule', e.g. \"(name ~ 0.85 AND email) OR (name ~ 0.85 AND phone)\"");
      return;
    }
    out.rule = n["rule"].Scalar();
    std::vector<ScoringField> fields;
    for (const auto& s : out.comparisons) fields.push_back({s.name, levelCount(s)});
    RuleParseError err;
    if (!MatchRule::parse(out.rule, fields, &err)) {
      // Point at the rule's column when the rule is a plain scalar on one line.
      YAML::Node r = n["rule"];
      Location where{c.file, r.Mark().line + 1, r.Mark().column + 1};
      if (r.Tag() == "!" || r.Tag() == "?") where.column += static_cast<int>(err.column) - 1 + (r.Tag() == "!" ? 1 : 0);
      c.ok = false;
      c.diags.error(where, "match rule, column " + std::to_string(err.column) + ": " + err.message +
                               (err.hint.empty() ? "" : " (did you mean '" + err.hint + "'?)"));
    }
  } else if (type == "fellegi_sunter") {
    checkMapKeys(c, n, {"type", "threshold", "term_frequency", "model_file", "training"}, "a fellegi_sunter model");
    out.model = ModelType::kFellegiSunter;
    auto& fs = out.fs;
    if (!n["threshold"]) {
      c.error(n, "a fellegi_sunter model needs 'threshold': a match probability (0.95) or {weight: 8}");
    } else if (n["threshold"].IsMap()) {
      auto t = n["threshold"];
      checkMapKeys(c, t, {"probability", "weight"}, "'threshold'");
      if (t["probability"]) {
        if (auto v = number(c, t["probability"], "'probability'")) fs.threshold = {FsThreshold::Scale::kProbability, *v};
      } else if (t["weight"]) {
        if (auto v = number(c, t["weight"], "'weight'")) fs.threshold = {FsThreshold::Scale::kWeight, *v};
      } else {
        c.error(t, "'threshold' needs 'probability' or 'weight'");
      }
    } else if (auto v = number(c, n["threshold"], "'threshold'")) {
      fs.threshold = {FsThreshold::Scale::kProbability, *v};
    }
    if (fs.threshold.scale == FsThreshold::Scale::kProbability &&
        (fs.threshold.value <= 0 || fs.threshold.value >= 1)) {
      c.error(n["threshold"], "a probability threshold must be between 0 and 1 (exclusive)");
    }
    if (n["term_frequency"]) {
      fs.termFrequency = stringList(c, n["term_frequency"], "'term_frequency'");
      for (const auto& name : fs.termFrequency) {
        bool known = std::any_of(out.comparisons.begin(), out.comparisons.end(),
                                 [&](const ComparisonSpec& s) { return s.name == name; });
        if (!known) c.error(n["term_frequency"], "term_frequency names comparison '" + name + "', which is not configured");
      }
    }
    if (n["model_file"]) {
      std::filesystem::path p = n["model_file"].Scalar();
      if (p.is_relative()) p = std::filesystem::path(baseDir) / p;
      if (!std::filesystem::exists(p)) c.error(n["model_file"], "model file '" + p.string() + "' does not exist");
      fs.modelFile = p.string();
    }
    if (auto t = n["training"]) {
      checkMapKeys(c, t, {"max_pairs", "random_pairs", "seed"}, "'training'");
      if (t["max_pairs"]) {
        if (auto v = number(c, t["max_pairs"], "'max_pairs'")) fs.maxTrainingPairs = static_cast<uint64_t>(*v);
      }
      if (t["random_pairs"]) {
        if (auto v = number(c, t["random_pairs"], "'random_pairs'")) fs.randomPairs = static_cast<uint64_t>(*v);
      }
      if (t["seed"]) {
        if (auto v = number(c, t["seed"], "'seed'")) fs.seed = static_cast<uint64_t>(*v);
      }
    }
  } else {
    c.error(n["type"] ? n["type"] : n, "model 'type' must be 'rules' or 'fellegi_sunter'");
  }
}

std::string fileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(XXH3_64bits(data.data(), data.size())));
  return buf;
}

}  // namespace

const char* survivorRuleName(SurvivorRule rule) {
  switch (rule) {
    case SurvivorRule::kMostFrequent: return "most_frequent";
    case SurvivorRule::kMostRecent: return "most_recent";
    case SurvivorRule::kMostComplete: return "most_complete";
    case SurvivorRule::kLongest: return "longest";
    case SurvivorRule::kSourcePriority: return "source_priority";
  }
  return "?";
}

std::optional<SurvivorRule> survivorRuleFromName(std::string_view name) {
  for (auto r : {SurvivorRule::kMostFrequent, SurvivorRule::kMostRecent, SurvivorRule::kMostComplete,
                 SurvivorRule::kLongest, SurvivorRule::kSourcePriority}) {
    if (name == survivorRuleName(r)) return r;
  }
  return std::nullopt;
}

const std::vector<std::string>& dedupeStageKeys() {
  static const std::vector<std::string> keys = {"type",     "name",       "sources",      "comparisons",
                                                "blocking", "model",      "clustering",   "survivorship"};
  return keys;
}

namespace {

std::optional<DedupeConfig> parse(const YAML::Node& stage, const std::string& stageName, const std::string& file,
                                  const std::string& baseDir, Diagnostics& diags) {
  Ctx c{file, diags};
  DedupeConfig out;
  out.stage = stageName;

  auto comparisons = stage["comparisons"];
  if (!comparisons || !comparisons.IsSequence() || comparisons.size() == 0) {
    c.error(comparisons ? comparisons : stage,
            "stage 'dedupe' needs 'comparisons': a list of {field, comparator, levels}");
  } else {
    for (const auto& n : comparisons) parseComparison(c, n, out);
    std::set<std::string> names;
    for (size_t i = 0; i < out.comparisons.size(); ++i) {
      if (!names.insert(out.comparisons[i].name).second) {
        c.error(comparisons[i], "comparison name '" + out.comparisons[i].name + "' is used twice; give one a 'name'");
      }
    }
  }

  auto blocking = stage["blocking"];
  if (!blocking || !blocking.IsMap()) {
    c.error(blocking ? blocking : stage, "stage 'dedupe' needs 'blocking' with 'keys' (and optionally max_block_size)");
  } else {
    checkMapKeys(c, blocking, {"keys", "max_block_size"}, "'blocking'");
    if (blocking["max_block_size"]) {
      auto v = number(c, blocking["max_block_size"], "'max_block_size'");
      if (v && (*v < 0 || *v != std::floor(*v))) c.error(blocking["max_block_size"], "'max_block_size' must be a whole number (0: no cap)");
      else if (v) out.blocking.maxBlockSize = static_cast<size_t>(*v);
    }
    auto keys = blocking["keys"];
    if (!keys || !keys.IsSequence() || keys.size() == 0) {
      c.error(keys ? keys : blocking, "'blocking' needs 'keys': a list of {name, fields}");
    } else {
      for (const auto& k : keys) parseKey(c, k, out);
      std::set<std::string> names;
      for (size_t i = 0; i < out.keys.size() && i < keys.size(); ++i) {
        if (!names.insert(out.keys[i].name).second) c.error(keys[i], "blocking key name '" + out.keys[i].name + "' is used twice");
      }
    }
  }

  if (!stage["model"]) {
    c.error(stage, "stage 'dedupe' needs 'model': {type: rules, rule: ...} or {type: fellegi_sunter, threshold: ...}");
  } else if (c.ok) {
    parseModel(c, stage["model"], baseDir, out);
  }

  if (auto cl = stage["clustering"]) {
    YAML::Node type = cl.IsMap() ? cl["type"] : cl;
    if (cl.IsMap()) checkMapKeys(c, cl, {"type", "link"}, "'clustering'");
    const std::string t = type && type.IsScalar() ? type.Scalar() : "";
    if (t == "union_find") {
      out.clustering = ClusteringMode::kUnionFind;
    } else if (t == "one_to_one") {
      out.clustering = ClusteringMode::kOneToOne;
      if (cl.IsMap() && cl["link"]) out.link = stringList(c, cl["link"], "'link'");
      if (out.link.size() != 2) c.error(cl, "clustering one_to_one needs 'link': the two sources linked, e.g. [crm, erp]");
      out.blocking.crossGroupOnly = true;
    } else {
      c.error(type ? type : cl, "clustering must be 'union_find' or {type: one_to_one, link: [A, B]}");
    }
  }

  if (auto s = stage["survivorship"]) {
    if (!s.IsMap()) {
      c.error(s, "'survivorship' must be a map with 'default' and/or 'fields'");
    } else {
      checkMapKeys(c, s, {"default", "fields"}, "'survivorship'");
      if (s["default"]) {
        if (auto r = parseSurvivor(c, s["default"])) out.survivorship.defaults = *r;
      }
      if (auto f = s["fields"]) {
        if (!f.IsMap()) {
          c.error(f, "'fields' must map customer fields to survivorship rules");
        } else {
          for (const auto& kv : f) {
            const std::string field = kv.first.Scalar();
            if (std::find(kCustomerColumns.begin(), kCustomerColumns.end(), field) == kCustomerColumns.end()) {
              std::string hint = config::didYouMean(field, kCustomerColumns);
              c.error(kv.first, "'" + field + "' is not a customer field" +
                                    (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
              continue;
            }
            if (auto r = parseSurvivor(c, kv.second)) out.survivorship.fields[field] = *r;
          }
        }
      }
    }
  }

  if (c.ok) {
    // The comparisons, keys and model, checked by the classes that will run them.
    if (auto cs = ComparisonSet::create(out.comparisons, out.fields); !cs) {
      c.error(comparisons, cs.status().message());
    }
    if (auto b = Blocker::create(out.keys, out.fields, out.blocking); !b) c.error(blocking, b.status().message());
  }
  if (!c.ok) return std::nullopt;

  // Fingerprint: the YAML of everything that decides matches, plus the model file's content.
  YAML::Emitter e;
  e << YAML::BeginSeq << stage["comparisons"] << stage["blocking"] << stage["model"];
  if (stage["clustering"]) e << stage["clustering"];
  if (stage["sources"]) e << stage["sources"];
  e << YAML::EndSeq;
  std::string basis = e.c_str();
  if (out.fs.modelFile) basis += "\nmodel_file:" + fileDigest(*out.fs.modelFile);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(XXH3_64bits(basis.data(), basis.size())));
  out.fingerprint = buf;
  return out;
}

}  // namespace

std::optional<DedupeConfig> parseDedupeConfig(const YAML::Node& stage, const std::string& stageName,
                                              const std::string& file, const std::string& baseDir,
                                              Diagnostics& diags) {
  try {
    return parse(stage, stageName, file, baseDir, diags);
  } catch (const YAML::Exception& e) {
    diags.error(Location{file, e.mark.line + 1, e.mark.column + 1}, "stage '" + stageName + "': " + e.msg);
    return std::nullopt;
  }
}

}  // namespace crmsync::match
