#include "crmsync/match/comparison.hpp"

#include <cmath>
#include <limits>
#include <set>

namespace crmsync::match {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTolerance = 1e-9;
constexpr int kMaxLevel = 126;

struct KindName {
  ComparatorKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {ComparatorKind::kExact, "exact"},
    {ComparatorKind::kJaroWinkler, "jaro_winkler"},
    {ComparatorKind::kLevenshtein, "levenshtein"},
    {ComparatorKind::kDamerauLevenshtein, "damerau_levenshtein"},
    {ComparatorKind::kTokenSet, "token_set"},
    {ComparatorKind::kPhonetic, "phonetic"},
    {ComparatorKind::kNumeric, "numeric"},
    {ComparatorKind::kDate, "date"},
};

const std::vector<SimilarityLevel>& effectiveLevels(const ComparisonSpec& spec) {
  static const std::vector<SimilarityLevel> kEqualOrNot = {{1.0, 1}};
  return spec.levels.empty() ? kEqualOrNot : spec.levels;
}

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t bestDistance = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    const size_t d = levenshteinDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= std::max<size_t>(2, name.size() / 3) ? best : std::string();
}

Status checkSpec(const ComparisonSpec& spec, const std::string& where) {
  const auto& levels = effectiveLevels(spec);
  if (spec.elseLevel < 0 || spec.elseLevel > kMaxLevel) {
    return invalidConfig(where + ": elseLevel must be in 0.." + std::to_string(kMaxLevel));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    const auto& l = levels[i];
    const std::string at = where + ", level " + std::to_string(i + 1);
    if (!(l.minSimilarity >= 0.0 && l.minSimilarity <= 1.0)) {
      return invalidConfig(at + ": threshold must be in [0, 1]");
    }
    if (l.level < 0 || l.level > kMaxLevel) {
      return invalidConfig(at + ": level must be in 0.." + std::to_string(kMaxLevel));
    }
    if (l.level <= spec.elseLevel) {
      return invalidConfig(at + ": level must be above elseLevel (" + std::to_string(spec.elseLevel) + ")");
    }
    if (i > 0 && !(l.minSimilarity < levels[i - 1].minSimilarity && l.level < levels[i - 1].level)) {
      return invalidConfig(at + ": list levels from the highest threshold down; thresholds and levels must "
                                "both decrease");
    }
  }
  if (spec.kind == ComparatorKind::kNumeric && !(spec.params.numeric.scale > 0.0)) {
    return invalidConfig(where + ": numeric scale must be > 0");
  }
  if (spec.kind == ComparatorKind::kDate && !(spec.params.date.scaleDays > 0.0)) {
    return invalidConfig(where + ": date scaleDays must be > 0");
  }
  if (spec.kind == ComparatorKind::kJaroWinkler) {
    const auto& jw = spec.params.jaroWinkler;
    if (jw.prefixScale < 0.0 || jw.prefixScale * static_cast<double>(jw.maxPrefix) > 1.0) {
      return invalidConfig(where + ": Jaro-Winkler prefixScale * maxPrefix must be in [0, 1]");
    }
  }
  return Status::ok();
}

}  // namespace

const char* comparatorKindName(ComparatorKind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<ComparatorKind> comparatorKindFromName(std::string_view name) {
  for (const auto& k : kKindNames) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

double compareValues(const ComparisonSpec& spec, std::optional<std::string_view> a,
                     std::optional<std::string_view> b) {
  if (!a || !b) return kNaN;
  switch (spec.kind) {
    case ComparatorKind::kExact:
      return exactSimilarity(*a, *b);
    case ComparatorKind::kJaroWinkler:
      return jaroWinklerSimilarity(*a, *b, spec.params.jaroWinkler);
    case ComparatorKind::kLevenshtein:
      return levenshteinSimilarity(*a, *b);
    case ComparatorKind::kDamerauLevenshtein:
      return damerauSimilarity(*a, *b);
    case ComparatorKind::kTokenSet:
      return tokenSetSimilarity(*a, *b, spec.params.tokenSet);
    case ComparatorKind::kPhonetic:
      return phoneticSimilarity(*a, *b);
    case ComparatorKind::kNumeric: {
      const auto x = parseNumber(*a);
      const auto y = parseNumber(*b);
      if (!x || !y) return kNaN;
      return numericSimilarity(*x, *y, spec.params.numeric);
    }
    case ComparatorKind::kDate:
      return dateSimilarity(*a, *b, spec.params.date).value_or(kNaN);
  }
  return kNaN;
}

int8_t levelOf(const ComparisonSpec& spec, double similarity) {
  if (std::isnan(similarity)) return -1;
  for (const auto& l : effectiveLevels(spec)) {
    if (similarity >= l.minSimilarity - kTolerance) return l.level;
  }
  return spec.elseLevel;
}

int levelCount(const ComparisonSpec& spec) {
  int top = spec.elseLevel;
  for (const auto& l : effectiveLevels(spec)) top = std::max<int>(top, l.level);
  return top + 1;
}

Result<ComparisonSet> ComparisonSet::create(std::vector<ComparisonSpec> specs, const FieldSet& fields) {
  ComparisonSet set;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto& spec = specs[i];
    if (spec.name.empty()) spec.name = spec.field;
    const std::string where = "comparison " + std::to_string(i + 1) + " (" + spec.name + ")";
    const auto index = fields.indexOf(spec.field);
    if (!index) {
      std::string message = where + ": unknown field '" + spec.field + "'";
      const std::string hint = closest(spec.field, fields.names());
      if (!hint.empty()) message += "; did you mean '" + hint + "'?";
      return invalidConfig(message);
    }
    if (!names.insert(spec.name).second) {
      return invalidConfig(where + ": another comparison has the same name; give each a distinct name");
    }
    RETURN_IF_ERROR(checkSpec(spec, where));
    set.fieldIndex_.push_back(*index);
  }
  set.specs_ = std::move(specs);
  return set;
}

std::vector<ScoringField> ComparisonSet::scoringFields() const {
  std::vector<ScoringField> out;
  out.reserve(specs_.size());
  for (const auto& s : specs_) out.push_back({s.name, levelCount(s)});
  return out;
}

void ComparisonSet::compare(const MatchRecord& a, const MatchRecord& b, std::span<double> similarities,
                            std::span<int8_t> levels) const {
  for (size_t k = 0; k < specs_.size(); ++k) {
    const size_t f = fieldIndex_[k];
    const double sim = compareValues(specs_[k], a.value(f), b.value(f));
    similarities[k] = sim;
    levels[k] = levelOf(specs_[k], sim);
  }
}

ComparisonSet::Vectors ComparisonSet::compare(const MatchRecord& a, const MatchRecord& b) const {
  Vectors v;
  v.similarities.resize(specs_.size());
  v.levels.resize(specs_.size());
  compare(a, b, v.similarities, v.levels);
  return v;
}

}  // namespace crmsync::match
