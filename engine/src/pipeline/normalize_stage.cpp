// The normalize stage (basic): per-field chains of trim, nfkc, lower, email and phone. Invalid values keep
// their raw text and get a quality flag; nothing is silently changed or dropped.
#include <unicode/locid.h>
#include <unicode/uloc.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/normalize/email.hpp"
#include "crmsync/normalize/phone.hpp"
#include "crmsync/normalize/text.hpp"
#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {
namespace {

enum class Op { kTrim, kNfkc, kLower, kEmail, kPhone };

const std::vector<std::pair<std::string, Op>> kOps = {
    {"trim", Op::kTrim}, {"nfkc", Op::kNfkc}, {"lower", Op::kLower}, {"email", Op::kEmail}, {"phone", Op::kPhone}};

std::vector<std::string> opNames() {
  std::vector<std::string> names;
  for (const auto& [n, op] : kOps) names.push_back(n);
  return names;
}

std::optional<Op> findOp(const std::string& name) {
  for (const auto& [n, op] : kOps) {
    if (n == name) return op;
  }
  return std::nullopt;
}

std::string upperAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Country names as people type them ("China", "中国", "Deutschland", "UK") to ISO 3166 codes, from ICU's own
// display names so no table of ours goes stale.
class RegionResolver {
 public:
  RegionResolver() {
    for (const char* const* c = uloc_getISOCountries(); *c; ++c) {
      std::string code = *c;
      icu::Locale loc("", *c);
      for (const char* lang : {"en", "zh", "zh_Hant", "de", "fr", "es", "ja"}) {
        icu::UnicodeString name;
        loc.getDisplayCountry(icu::Locale(lang), name);
        std::string utf8;
        name.toUTF8String(utf8);
        names_.emplace(normalize::lower(utf8), code);
      }
      names_.emplace(normalize::lower(code), code);
    }
    for (const auto& [alias, code] : std::vector<std::pair<std::string, std::string>>{
             {"uk", "GB"}, {"usa", "US"}, {"u.s.", "US"}, {"u.s.a.", "US"}, {"prc", "CN"}, {"england", "GB"},
             {"great britain", "GB"}, {"america", "US"}, {"hong kong", "HK"}, {"中国大陆", "CN"}, {"香港", "HK"},
             {"台湾", "TW"}, {"澳门", "MO"}}) {
      names_[alias] = code;
    }
  }
  std::optional<std::string> resolve(const std::string& text) const {
    auto it = names_.find(normalize::lower(normalize::trim(text)));
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unordered_map<std::string, std::string> names_;
};

struct FieldRule {
  std::string field;
  std::vector<Op> ops;
};

class NormalizeStage : public Stage {
 public:
  NormalizeStage(std::vector<FieldRule> rules, std::string defaultRegion, std::string regionField)
      : rules_(std::move(rules)), defaultRegion_(std::move(defaultRegion)), regionField_(std::move(regionField)) {}

  Status process(const std::string&, std::vector<Record>& records, std::vector<Rejected>&, RunContext&) override {
    // Phone parsing dominates this stage's cost; records are independent, so large batches are split across
    // the machine's cores.
    const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
    if (workers < 2 || records.size() < 1024) {
      for (auto& r : records) normalizeRecord(r);
      return Status::ok();
    }
    std::vector<std::thread> threads;
    const size_t chunk = (records.size() + workers - 1) / workers;
    for (size_t w = 1; w < workers; ++w) {
      size_t begin = w * chunk, end = std::min(records.size(), begin + chunk);
      if (begin >= end) break;
      threads.emplace_back([this, &records, begin, end] {
        for (size_t i = begin; i < end; ++i) normalizeRecord(records[i]);
      });
    }
    for (size_t i = 0; i < std::min(chunk, records.size()); ++i) normalizeRecord(records[i]);
    for (auto& t : threads) t.join();
    return Status::ok();
  }

 private:
  std::string regionOf(const Record& r) const {
    if (!regionField_.empty()) {
      if (auto v = r.get(regionField_); v && !v->empty()) {
        if (auto code = regions_.resolve(*v)) return *code;
      }
    }
    return defaultRegion_;
  }

  void normalizeRecord(Record& r) const {
    for (const auto& rule : rules_) {
      auto* value = r.find(rule.field);
      if (!value || !*value) continue;
      std::string text = **value;
      bool valid = true;
      if (!normalize::isValidUtf8(text)) {
        r.qualityFlags.push_back(rule.field + ": invalid UTF-8");
        continue;
      }
      for (Op op : rule.ops) {
        switch (op) {
          case Op::kTrim: text = normalize::trim(text); break;
          case Op::kNfkc: text = normalize::nfkc(text); break;
          case Op::kLower: text = normalize::lower(text); break;
          case Op::kEmail: {
            auto e = normalize::normalizeEmail(text);
            if (e.valid) {
              text = e.value;
            } else {
              valid = false;
              r.qualityFlags.push_back(rule.field + ": invalid email (" + e.reason + ")");
            }
            break;
          }
          case Op::kPhone: {
            auto p = phones_.normalize(text, regionOf(r));
            if (p.valid) {
              text = p.e164;
              if (!p.extension.empty()) r.set(rule.field + "_ext", p.extension);
            } else {
              valid = false;
              r.qualityFlags.push_back(rule.field + ": invalid phone number (" + p.reason + ")");
            }
            break;
          }
        }
        if (!valid) break;
      }
      // An invalid value keeps its raw text so nothing is lost; the flag tells the audit stage.
      if (valid) *r.find(rule.field) = text.empty() ? std::nullopt : std::optional<std::string>(std::move(text));
    }
  }

  std::vector<FieldRule> rules_;
  std::string defaultRegion_;
  std::string regionField_;
  normalize::PhoneNormalizer phones_;
  RegionResolver regions_;
};

std::vector<std::string> opsOf(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) out.push_back(node.Scalar());
  else if (node.IsSequence()) {
    for (const auto& x : node) {
      if (x.IsScalar()) out.push_back(x.Scalar());
    }
  }
  return out;
}

}  // namespace

StageFactory normalizeStageFactory() {
  StageFactory f;
  f.type = "normalize";
  f.description = "Normalizes fields: trim, nfkc, lower, email, phone (E.164 through libphonenumber)";
  f.keys = {
      {"default_region", CRMSYNC_CONFIG_STRING, std::nullopt, false,
       "ISO 3166 region for phone numbers written without a country code, e.g. CN"},
      {"region_field", CRMSYNC_CONFIG_STRING, std::nullopt, false,
       "field holding each record's country (code or name); overrides default_region when it resolves"},
  };
  f.customKeys = {"fields"};
  f.validate = [](const config::StageSpec& stage, const config::PipelineSpec& spec, config::Diagnostics& diags) {
    auto fields = stage.node["fields"];
    if (!fields) {
      diags.error(stage.where, "stage 'normalize' needs 'fields' (field -> list of: trim, nfkc, lower, email, phone)");
      return;
    }
    if (!fields.IsMap()) {
      diags.error(config::locationOf(spec.file, fields), "'fields' must map field names to operations");
      return;
    }
    for (const auto& kv : fields) {
      if (!kv.second.IsScalar() && !kv.second.IsSequence()) {
        diags.error(config::locationOf(spec.file, kv.second), "operations of '" + kv.first.Scalar() +
                                                                   "' must be a name or a list of names");
        continue;
      }
      auto check = [&](const YAML::Node& opNode) {
        if (!opNode.IsScalar()) {
          diags.error(config::locationOf(spec.file, opNode), "an operation must be a name");
          return;
        }
        if (findOp(opNode.Scalar())) return;
        std::string msg = "unknown operation '" + opNode.Scalar() + "'";
        if (auto hint = config::didYouMean(opNode.Scalar(), opNames()); !hint.empty()) {
          msg += "; did you mean '" + hint + "'?";
        } else {
          msg += " (known: trim, nfkc, lower, email, phone)";
        }
        diags.error(config::locationOf(spec.file, opNode), msg);
      };
      if (kv.second.IsScalar()) check(kv.second);
      else for (const auto& op : kv.second) check(op);
    }
    if (auto r = stage.node["default_region"]; r && r.IsScalar()) {
      normalize::PhoneNormalizer phones;
      if (!phones.isKnownRegion(upperAscii(r.Scalar()))) {
        diags.error(config::locationOf(spec.file, r),
                    "unknown region '" + r.Scalar() + "' (use an ISO 3166 code such as CN, US, GB, DE)");
      }
    }
  };
  f.create = [](const config::StageSpec& stage, const config::PipelineSpec&) -> Result<std::unique_ptr<Stage>> {
    std::vector<FieldRule> rules;
    for (const auto& kv : stage.node["fields"]) {
      FieldRule rule;
      rule.field = kv.first.Scalar();
      for (const auto& name : opsOf(kv.second)) {
        auto op = findOp(name);
        if (!op) return invalidConfig("unknown normalize operation '" + name + "'");
        rule.ops.push_back(*op);
      }
      rules.push_back(std::move(rule));
    }
    std::string region = stage.node["default_region"] ? upperAscii(stage.node["default_region"].Scalar()) : "ZZ";
    std::string regionField = stage.node["region_field"] ? stage.node["region_field"].Scalar() : "";
    return std::unique_ptr<Stage>(std::make_unique<NormalizeStage>(std::move(rules), region, regionField));
  };
  return f;
}

}  // namespace crmsync::pipeline
