// The normalize stage: per-field chains of operations (trim, nfkc, lower, email, phone, name, date, company,
// address). An operation is a name or a one-key map from the name to its options. Invalid values keep their raw
// text and get a quality flag; nothing is silently changed or dropped.
#include <unicode/locid.h>
#include <unicode/uloc.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>

#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/normalize/address.hpp"
#include "crmsync/normalize/company.hpp"
#include "crmsync/normalize/date.hpp"
#include "crmsync/normalize/email.hpp"
#include "crmsync/normalize/name.hpp"
#include "crmsync/normalize/phone.hpp"
#include "crmsync/normalize/text.hpp"
#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {
namespace {

enum class Op { kTrim, kNfkc, kLower, kEmail, kPhone, kName, kDate, kCompany, kAddress };

enum class OptionKind { kBool, kField, kTimeZone };

struct OptionInfo {
  std::string name;
  OptionKind kind;
  std::string defaultSuffix;  // kField: written to "<field><suffix>" unless set; empty: not written by default
};

struct OpInfo {
  std::string name;
  Op op;
  std::vector<OptionInfo> options;
};

// Every operation may copy the value it received to another field first, so the raw text survives a rewrite.
const OptionInfo kRawOption{"raw", OptionKind::kField, ""};

const std::vector<OpInfo>& opTable() {
  static const std::vector<OpInfo> table = {
      {"trim", Op::kTrim, {}},
      {"nfkc", Op::kNfkc, {}},
      {"lower", Op::kLower, {}},
      {"email", Op::kEmail,
       {{"provider_rules", OptionKind::kBool, ""}, {"strip_tags", OptionKind::kBool, ""},
        {"key", OptionKind::kField, ""}}},
      {"phone", Op::kPhone, {{"extension", OptionKind::kField, "_ext"}}},
      {"name", Op::kName,
       {{"given", OptionKind::kField, "_given"}, {"family", OptionKind::kField, "_family"},
        {"suffix", OptionKind::kField, ""}, {"key", OptionKind::kField, "_key"},
        {"phonetic", OptionKind::kField, "_dm"}, {"phonetic_alt", OptionKind::kField, "_dm_alt"},
        {"latin", OptionKind::kField, "_latin"}}},
      {"date", Op::kDate,
       {{"day_first", OptionKind::kBool, ""}, {"time_zone", OptionKind::kTimeZone, ""},
        {"excel_serial", OptionKind::kBool, ""}}},
      {"company", Op::kCompany, {{"key", OptionKind::kField, "_key"}, {"drop_group", OptionKind::kBool, ""}}},
      {"address", Op::kAddress,
       {{"tokens", OptionKind::kField, "_tokens"}, {"postcode", OptionKind::kField, "_postcode"}}},
  };
  return table;
}

const OpInfo* findOp(const std::string& name) {
  for (const auto& info : opTable()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<std::string> opNames() {
  std::vector<std::string> names;
  for (const auto& info : opTable()) names.push_back(info.name);
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// One operation as configured: what it does and where its companion values go (empty: not written).
struct OpSpec {
  Op op = Op::kTrim;
  std::unordered_map<std::string, std::string> fields;  // option name -> target field
  normalize::EmailOptions email;
  normalize::CompanyOptions company;
  normalize::DateOptions dateOptions;
  std::shared_ptr<const normalize::DateNormalizer> date;  // built once; shared by the stage's threads

  const std::string& field(const std::string& option) const {
    static const std::string none;
    auto it = fields.find(option);
    return it == fields.end() ? none : it->second;
  }
};

using Report = std::function<void(const YAML::Node&, const std::string&)>;

// Reads one operation (a name, or {name: options}) for field; reports every problem and returns nullopt if any.
std::optional<OpSpec> parseOp(const YAML::Node& node, const std::string& field, const Report& report) {
  if (node.IsMap() && node.size() != 1) {
    report(node, "an operation with options is a map with one key, the operation's name, e.g. "
                 "{date: {day_first: true}}");
    return std::nullopt;
  }
  if (!node.IsMap() && !node.IsScalar()) {
    report(node, "an operation must be a name or a map from a name to its options");
    return std::nullopt;
  }
  // Bound once: assigning to a yaml-cpp Node that already refers to something rewrites the document.
  const YAML::Node nameNode = node.IsMap() ? node.begin()->first : node;
  const YAML::Node options = node.IsMap() ? node.begin()->second : YAML::Node();
  const std::string name = nameNode.Scalar();
  const OpInfo* info = findOp(name);
  if (!info) {
    std::string msg = "unknown operation '" + name + "'";
    if (auto hint = config::didYouMean(name, opNames()); !hint.empty()) {
      msg += "; did you mean '" + hint + "'?";
    } else {
      msg += " (known: " + joined(opNames()) + ")";
    }
    report(nameNode, msg);
    return std::nullopt;
  }

  OpSpec spec;
  spec.op = info->op;
  for (const auto& o : info->options) {
    if (o.kind == OptionKind::kField && !o.defaultSuffix.empty()) spec.fields[o.name] = field + o.defaultSuffix;
  }
  if (!options || options.IsNull()) return spec;
  if (!options.IsMap()) {
    report(options, "options of '" + name + "' must be a map, e.g. {" + name + ": {" +
                        (info->options.empty() ? kRawOption.name : info->options.front().name) + ": ...}}");
    return std::nullopt;
  }
  bool ok = true;
  std::vector<OptionInfo> known = info->options;
  known.push_back(kRawOption);
  std::vector<std::string> knownNames;
  for (const auto& o : known) knownNames.push_back(o.name);
  for (const auto& kv : options) {
    const std::string key = kv.first.Scalar();
    auto o = std::find_if(known.begin(), known.end(), [&](const OptionInfo& k) { return k.name == key; });
    if (o == known.end()) {
      std::string msg = "'" + name + "' has no option '" + key + "'";
      if (auto hint = config::didYouMean(key, knownNames); !hint.empty()) {
        msg += "; did you mean '" + hint + "'?";
      } else {
        msg += " (options: " + joined(knownNames) + ")";
      }
      report(kv.first, msg);
      ok = false;
      continue;
    }
    const YAML::Node& value = kv.second;
    switch (o->kind) {
      case OptionKind::kBool: {
        bool b = false;
        if (!value.IsScalar() || !YAML::convert<bool>::decode(value, b)) {
          report(value, "'" + key + "' must be true or false");
          ok = false;
          break;
        }
        if (key == "provider_rules") spec.email.providerRules = b;
        if (key == "strip_tags") spec.email.stripTags = b;
        if (key == "day_first") spec.dateOptions.dayFirst = b;
        if (key == "excel_serial") spec.dateOptions.excelSerial = b;
        if (key == "drop_group") spec.company.dropGroup = b;
        break;
      }
      case OptionKind::kField:
        if (value.IsNull()) {
          spec.fields.erase(key);  // "key: ~" turns a companion field off
        } else if (!value.IsScalar() || value.Scalar().empty()) {
          report(value, "'" + key + "' must be a field name, or ~ to not write it");
          ok = false;
        } else {
          spec.fields[key] = value.Scalar();
        }
        break;
      case OptionKind::kTimeZone:
        if (!value.IsScalar() || !normalize::DateNormalizer::isKnownTimeZone(value.Scalar())) {
          report(value, "unknown time zone '" + (value.IsScalar() ? value.Scalar() : std::string("?")) +
                            "' (use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC)");
          ok = false;
        } else {
          spec.dateOptions.timeZone = value.Scalar();
        }
        break;
    }
  }
  if (!ok) return std::nullopt;
  return spec;
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
  std::vector<OpSpec> ops;
};

std::string upperAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

class NormalizeStage : public Stage {
 public:
  NormalizeStage(std::vector<FieldRule> rules, std::string defaultRegion, std::string regionField)
      : rules_(std::move(rules)), defaultRegion_(std::move(defaultRegion)), regionField_(std::move(regionField)) {
    // Built only when an operation uses them: libphonenumber's metadata, the address patterns and ICU's
    // country names cost about 8 ms together, a tenth of a small run.
    bool phones = false, addresses = false;
    for (const auto& rule : rules_) {
      for (const auto& op : rule.ops) {
        phones = phones || op.op == Op::kPhone;
        addresses = addresses || op.op == Op::kAddress;
      }
    }
    if (phones) phones_ = std::make_unique<const normalize::PhoneNormalizer>();
    if (addresses) addresses_ = std::make_unique<const normalize::AddressNormalizer>();
    if ((phones || addresses) && !regionField_.empty()) regions_ = std::make_unique<const RegionResolver>();
  }

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
    if (regions_) {
      if (auto v = r.get(regionField_); v && !v->empty()) {
        if (auto code = regions_->resolve(*v)) return *code;
      }
    }
    return defaultRegion_;
  }

  static void setIf(Record& r, const std::string& field, std::string value) {
    if (!field.empty()) r.set(field, value.empty() ? std::nullopt : std::optional<std::string>(std::move(value)));
  }

  // Applies one operation to text; false (with a quality flag) when the value is invalid.
  bool apply(const OpSpec& op, const std::string& field, std::string& text, Record& r) const {
    setIf(r, op.field("raw"), text);
    switch (op.op) {
      case Op::kTrim: text = normalize::trim(text); return true;
      case Op::kNfkc: text = normalize::nfkc(text); return true;
      case Op::kLower: text = normalize::lower(text); return true;
      case Op::kEmail: {
        const std::string& keyField = op.field("key");
        auto e = normalize::normalizeEmail(text, keyField.empty() ? op.email : normalize::EmailOptions{});
        if (!e.valid) {
          r.qualityFlags.push_back(field + ": invalid email (" + e.reason + ")");
          return false;
        }
        // With a key field the provider rules shape the key only, and the field stays a deliverable address.
        if (!keyField.empty()) setIf(r, keyField, normalize::normalizeEmail(text, op.email).value);
        text = e.value;
        return true;
      }
      case Op::kPhone: {
        auto p = phones_->normalize(text, regionOf(r));
        if (!p.valid) {
          r.qualityFlags.push_back(field + ": invalid phone number (" + p.reason + ")");
          return false;
        }
        text = p.e164;
        if (!p.extension.empty()) setIf(r, op.field("extension"), p.extension);
        return true;
      }
      case Op::kName: {
        auto n = normalize::normalizeName(text);
        if (!n.valid) {
          r.qualityFlags.push_back(field + ": invalid name (" + n.reason + ")");
          return false;
        }
        setIf(r, op.field("given"), n.given);
        setIf(r, op.field("family"), n.family);
        setIf(r, op.field("suffix"), n.suffix);
        setIf(r, op.field("key"), n.key);
        setIf(r, op.field("phonetic"), n.phoneticPrimary);
        setIf(r, op.field("phonetic_alt"), n.phoneticAlternate);
        setIf(r, op.field("latin"), n.latin);
        text = n.full;
        return true;
      }
      case Op::kDate: {
        auto d = op.date->normalize(text);
        if (!d.valid) {
          r.qualityFlags.push_back(field + ": invalid date (" + d.reason + ")");
          return false;
        }
        text = d.value;
        return true;
      }
      case Op::kCompany: {
        auto c = normalize::normalizeCompany(text, op.company);
        if (!c.valid) {
          r.qualityFlags.push_back(field + ": invalid company name (" + c.reason + ")");
          return false;
        }
        setIf(r, op.field("key"), c.key);
        text = c.display;
        return true;
      }
      case Op::kAddress: {
        auto a = addresses_->normalize(text, regionOf(r));
        if (!a.valid) {
          r.qualityFlags.push_back(field + ": invalid address (" + a.reason + ")");
          return false;
        }
        std::string tokens;
        for (const auto& t : a.tokens) tokens += (tokens.empty() ? "" : " ") + t;
        setIf(r, op.field("tokens"), tokens);
        setIf(r, op.field("postcode"), a.postcode);
        text = a.display;
        return true;
      }
    }
    return true;
  }

  void normalizeRecord(Record& r) const {
    for (const auto& rule : rules_) {
      auto* value = r.find(rule.field);
      if (!value || !*value) continue;
      std::string text = **value;
      if (!normalize::isValidUtf8(text)) {
        r.qualityFlags.push_back(rule.field + ": invalid UTF-8");
        continue;
      }
      bool valid = true;
      for (const auto& op : rule.ops) {
        if (!apply(op, rule.field, text, r)) {
          valid = false;
          break;
        }
      }
      // An invalid value keeps its raw text so nothing is lost; the flag tells the audit stage. `value` may
      // dangle by now (companion fields grow the record), hence set() rather than writing through it.
      if (valid) r.set(rule.field, text.empty() ? std::nullopt : std::optional<std::string>(std::move(text)));
    }
  }

  std::vector<FieldRule> rules_;
  std::string defaultRegion_;
  std::string regionField_;
  std::unique_ptr<const normalize::PhoneNormalizer> phones_;
  std::unique_ptr<const normalize::AddressNormalizer> addresses_;
  std::unique_ptr<const RegionResolver> regions_;  // with a region field, for the operations that take a region
};

// The operations of one field: a single operation or a list of them.
std::vector<YAML::Node> opNodes(const YAML::Node& node) {
  if (node.IsSequence()) return {node.begin(), node.end()};
  return {node};
}

}  // namespace

StageFactory normalizeStageFactory() {
  StageFactory f;
  f.type = "normalize";
  f.description =
      "Normalizes fields: trim, nfkc, lower, email, phone (E.164 through libphonenumber), name, date, company, "
      "address";
  f.keys = {
      {"default_region", CRMSYNC_CONFIG_STRING, std::nullopt, false,
       "ISO 3166 region for phone numbers written without a country code and for address postcodes, e.g. CN"},
      {"region_field", CRMSYNC_CONFIG_STRING, std::nullopt, false,
       "field holding each record's country (code or name); overrides default_region when it resolves"},
  };
  f.customKeys = {"fields"};
  f.validate = [](const config::StageSpec& stage, const config::PipelineSpec& spec, config::Diagnostics& diags) {
    auto fields = stage.node["fields"];
    if (!fields) {
      diags.error(stage.where, "stage 'normalize' needs 'fields' (field -> operation or list of operations: " +
                                   joined(opNames()) + ")");
      return;
    }
    if (!fields.IsMap()) {
      diags.error(config::locationOf(spec.file, fields), "'fields' must map field names to operations");
      return;
    }
    Report report = [&](const YAML::Node& node, const std::string& message) {
      diags.error(config::locationOf(spec.file, node), message);
    };
    for (const auto& kv : fields) {
      if (!kv.second.IsScalar() && !kv.second.IsSequence() && !kv.second.IsMap()) {
        diags.error(config::locationOf(spec.file, kv.second),
                    "operations of '" + kv.first.Scalar() + "' must be an operation or a list of them");
        continue;
      }
      for (const auto& op : opNodes(kv.second)) (void)parseOp(op, kv.first.Scalar(), report);
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
    std::string firstError;
    Report report = [&](const YAML::Node&, const std::string& message) {
      if (firstError.empty()) firstError = message;
    };
    for (const auto& kv : stage.node["fields"]) {
      FieldRule rule;
      rule.field = kv.first.Scalar();
      for (const auto& node : opNodes(kv.second)) {
        auto op = parseOp(node, rule.field, report);
        if (!op) return invalidConfig("normalize field '" + rule.field + "': " + firstError);
        if (op->op == Op::kDate) op->date = std::make_shared<const normalize::DateNormalizer>(op->dateOptions);
        rule.ops.push_back(std::move(*op));
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
