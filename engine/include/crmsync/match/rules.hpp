// Declarative matching rules: Salesforce-style matching equations over the comparison vectors of a pair, e.g.
//   (name ~ 0.85 AND email) OR (name ~ 0.85 AND phone)
//
// Grammar (keywords case-insensitive; precedence NOT > AND > OR; AND and OR associate to the left):
//   rule    := or
//   or      := and { ("OR" | "||") and }
//   and     := unary { ("AND" | "&&") unary }
//   unary   := ("NOT" | "!") unary | "(" or ")" | term
//   term    := name                      exact: similarity == 1
//            | name "~" number           similarity >= number (number in [0, 1])
//            | name ">=" number          the same as "~"
//            | name ">=" "level" integer level >= integer (0 <= integer < the comparison's levels)
//   name    := [A-Za-z_][A-Za-z0-9_.-]* | "\"" any text but a quote "\""
//
// Nulls: a term over a comparison where either side is null is neither true nor false but null, and logic is
// three-valued (Kleene, as in SQL): NOT null = null; false AND null = false; true OR null = true; otherwise a
// null operand makes AND/OR null. A pair matches only when the whole rule is true, so a null term on its own
// never makes a match, and neither does `NOT term` over a null value ("NOT email" does not mean "email is
// missing or different", only "email is present and different").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/scorer.hpp"

namespace crmsync::match {

/// Three-valued truth of a term or (sub)rule for one pair.
enum class Truth : uint8_t { kFalse = 0, kTrue = 1, kNull = 2 };

/// "true", "false" or "null".
const char* truthName(Truth t);

/// Where and why a rule failed to parse, for callers that map the column into a YAML file position.
struct RuleParseError {
  size_t column = 0;     // 1-based, in characters (UTF-8 code points) of the rule text
  std::string message;   // without the column prefix
  std::string hint;      // the known comparison name closest to an unknown one, or empty
};

/// One comparison test inside a rule.
struct RuleTerm {
  enum class Kind : uint8_t { kExact, kSimilarityAtLeast, kLevelAtLeast };
  Kind kind = Kind::kExact;
  uint16_t field = 0;       // index into the rule's fields
  double threshold = 1.0;   // kSimilarityAtLeast
  int level = 0;            // kLevelAtLeast
  size_t column = 0;        // where the term starts in the rule text, 1-based
  std::string text;         // canonical spelling, e.g. "name ~ 0.85"
};

/// Truth of one term for one pair, with the values it looked at (NaN similarity / level -1 when null).
struct TermOutcome {
  const RuleTerm* term = nullptr;  // points into the MatchRule that produced it; valid while that rule lives
  Truth truth = Truth::kNull;
  double similarity = 0.0;
  int level = -1;
};

/// A parsed and compiled matching equation. Scoring runs a small postfix program with short-circuit jumps over
/// a fixed-size stack: no allocation, no recursion, safe to share between threads. score() gives 1 for a match,
/// 0 otherwise.
class MatchRule final : public Scorer {
 public:
  /// Parses `text` against the configured comparisons. On failure the status message reads
  /// "match rule, column N: ..." (with "did you mean" for a misspelt comparison) and, when `error` is given,
  /// it receives the same facts separately.
  static Result<MatchRule> parse(std::string_view text, std::vector<ScoringField> fields,
                                 RuleParseError* error = nullptr);

  /// Three-valued result for one pair.
  Truth evaluate(const PairVectors& pair) const;

  ScoreResult score(const PairVectors& pair) const override;
  Explanation explain(const PairVectors& pair) const override;
  const std::vector<ScoringField>& fields() const override { return fields_; }

  /// Each distinct term (by canonical text) in order of first appearance, with its truth for the pair.
  std::vector<TermOutcome> termOutcomes(const PairVectors& pair) const;

  /// The rule as written.
  const std::string& text() const { return text_; }
  /// Fully parenthesised canonical form, e.g. "((name ~ 0.85 AND email) OR phone)": shows how precedence
  /// grouped the rule.
  std::string canonical() const;
  /// Every term occurrence, in source order.
  const std::vector<RuleTerm>& terms() const { return terms_; }
  /// Indexes of the comparisons the rule reads, ascending, without repeats.
  std::vector<size_t> referencedFields() const;

  /// Deepest operand stack the compiled program needs; rules deeper than this are refused at parse time.
  static constexpr size_t kMaxStackDepth = 64;

 private:
  // Jumps short-circuit: AND skips its right side once the left is false, OR once it is true (Kleene logic
  // allows both), so most non-matching pairs stop after their first term.
  enum class Op : uint8_t { kTerm, kNot, kAnd, kOr, kJumpIfFalse, kJumpIfTrue };
  struct Node {
    Op op;
    int32_t lhs = -1;   // child for NOT, left child for AND/OR
    int32_t rhs = -1;
    int32_t term = -1;  // kTerm
    uint32_t begin = 0; // byte span in text_, for explaining clauses
    uint32_t end = 0;
  };
  // A term's test is copied into its instruction so evaluation reads one contiguous array.
  struct Instr {
    double threshold = 1.0;
    uint16_t field = 0;
    Op op = Op::kTerm;
    RuleTerm::Kind kind = RuleTerm::Kind::kExact;
    int16_t level = 0;
    uint16_t target = 0;  // jumps: index of the instruction after the operator
  };
  friend class RuleParser;

  MatchRule() = default;
  Truth evalNode(int32_t node, const PairVectors& pair) const;
  std::string canonicalNode(int32_t node) const;
  void topClauses(int32_t node, std::vector<int32_t>& out) const;

  std::string text_;
  std::vector<ScoringField> fields_;
  std::vector<RuleTerm> terms_;
  std::vector<Node> nodes_;
  int32_t root_ = -1;
  std::vector<Instr> program_;
};

/// The known name closest to `word` (Damerau-Levenshtein, case-insensitive), or empty when none is close.
std::string closestComparisonName(std::string_view word, std::span<const ScoringField> fields);

}  // namespace crmsync::match
