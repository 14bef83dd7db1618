#include "crmsync/match/rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace crmsync::match {

namespace {

constexpr Truth kNot[3] = {Truth::kTrue, Truth::kFalse, Truth::kNull};
// Indexed [a][b] with false=0, true=1, null=2 (Kleene logic).
constexpr Truth kAnd[3][3] = {{Truth::kFalse, Truth::kFalse, Truth::kFalse},
                              {Truth::kFalse, Truth::kTrue, Truth::kNull},
                              {Truth::kFalse, Truth::kNull, Truth::kNull}};
constexpr Truth kOr[3][3] = {{Truth::kFalse, Truth::kTrue, Truth::kNull},
                             {Truth::kTrue, Truth::kTrue, Truth::kTrue},
                             {Truth::kNull, Truth::kTrue, Truth::kNull}};

inline Truth testSimilarity(double s, double threshold) {
  if (std::isnan(s)) return Truth::kNull;
  return s >= threshold ? Truth::kTrue : Truth::kFalse;
}

inline Truth testLevel(int level, int atLeast) {
  if (level < 0) return Truth::kNull;
  return level >= atLeast ? Truth::kTrue : Truth::kFalse;
}

Truth evalTerm(const RuleTerm& t, const PairVectors& p) {
  if (t.kind == RuleTerm::Kind::kLevelAtLeast) return testLevel(p.levels[t.field], t.level);
  return testSimilarity(p.similarities[t.field], t.kind == RuleTerm::Kind::kExact ? 1.0 : t.threshold);
}

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  return true;
}

size_t damerauLevenshtein(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = lowerAscii(a[i - 1]) == lowerAscii(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lowerAscii(a[i - 1]) == lowerAscii(b[j - 2]) &&
          lowerAscii(a[i - 2]) == lowerAscii(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string formatNumber(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "?";
  return std::string(buf, end);
}

std::string formatSimilarity(double s) {
  if (std::isnan(s)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

bool isIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool isIdentChar(unsigned char c) { return isIdentStart(c) || std::isdigit(c) || c == '.' || c == '-'; }

// Names with characters outside the bare-identifier set need quotes to read back.
std::string spellName(const std::string& name) {
  bool bare = !name.empty() && isIdentStart(static_cast<unsigned char>(name[0]));
  for (char c : name) bare = bare && isIdentChar(static_cast<unsigned char>(c));
  for (const char* kw : {"and", "or", "not"}) bare = bare && !equalsIgnoreCase(name, kw);
  return bare ? name : "\"" + name + "\"";
}

}  // namespace

const char* truthName(Truth t) {
  switch (t) {
    case Truth::kFalse: return "false";
    case Truth::kTrue: return "true";
    case Truth::kNull: return "null";
  }
  return "null";
}

std::string closestComparisonName(std::string_view word, std::span<const ScoringField> fields) {
  std::string best;
  size_t bestDistance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& f : fields) {
    size_t d = damerauLevenshtein(word, f.name);
    if (d < bestDistance) {
      bestDistance = d;
      best = f.name;
    }
  }
  return best;
}

class RuleParser {
 public:
  RuleParser(MatchRule& rule, RuleParseError& error) : rule_(rule), error_(error), text_(rule.text_) {}

  bool run() {
    skipSpace();
    if (pos_ >= text_.size()) return fail(pos_, "the rule is empty; join comparisons with AND/OR, e.g. "
                                                "'name ~ 0.9 AND email'");
    int32_t root = -1;
    if (!parseOr(root)) return false;
    skipSpace();
    if (pos_ < text_.size()) {
      if (text_[pos_] == ')') return fail(pos_, "')' has no matching '('");
      if (text_[pos_] == '&' || text_[pos_] == '|')
        return fail(pos_, "unexpected " + describeHere() + "; write AND (&&) or OR (||)");
      return fail(pos_, "expected AND, OR or the end of the rule but found " + describeHere());
    }
    rule_.root_ = root;
    return compile();
  }

 private:
  static constexpr int kMaxNesting = 200;

  bool fail(size_t bytePos, std::string message, std::string hint = {}) {
    size_t column = 1;
    for (size_t i = 0; i < bytePos && i < text_.size(); ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    error_.column = column;
    error_.message = std::move(message);
    error_.hint = std::move(hint);
    return false;
  }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // The word at pos_ when it is an unquoted identifier, else empty.
  std::string_view peekWord() const {
    size_t p = pos_;
    if (p >= text_.size() || !isIdentStart(static_cast<unsigned char>(text_[p]))) return {};
    while (p < text_.size() && isIdentChar(static_cast<unsigned char>(text_[p]))) ++p;
    return std::string_view(text_).substr(pos_, p - pos_);
  }

  bool acceptKeyword(std::string_view keyword, std::string_view symbol) {
    skipSpace();
    if (!symbol.empty() && std::string_view(text_).substr(pos_, symbol.size()) == symbol) {
      pos_ += symbol.size();
      return true;
    }
    std::string_view w = peekWord();
    if (!w.empty() && equalsIgnoreCase(w, keyword)) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  std::string describeHere() const {
    if (pos_ >= text_.size()) return "the end of the rule";
    std::string_view w = peekWord();
    if (!w.empty()) return "'" + std::string(w) + "'";
    size_t len = 1;
    while (pos_ + len < text_.size() && (static_cast<unsigned char>(text_[pos_ + len]) & 0xC0) == 0x80) ++len;
    return "'" + text_.substr(pos_, len) + "'";
  }

  int32_t addNode(MatchRule::Node node) {
    rule_.nodes_.push_back(node);
    return static_cast<int32_t>(rule_.nodes_.size() - 1);
  }

  bool parseOr(int32_t& out) {
    skipSpace();
    size_t begin = pos_;
    if (!parseAnd(out)) return false;
    while (acceptKeyword("or", "||")) {
      int32_t rhs = -1;
      if (!parseAnd(rhs)) return false;
      out = addNode({MatchRule::Op::kOr, out, rhs, -1, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos_)});
    }
    return true;
  }

  bool parseAnd(int32_t& out) {
    skipSpace();
    size_t begin = pos_;
    if (!parseUnary(out)) return false;
    while (acceptKeyword("and", "&&")) {
      int32_t rhs = -1;
      if (!parseUnary(rhs)) return false;
      out = addNode({MatchRule::Op::kAnd, out, rhs, -1, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos_)});
    }
    return true;
  }

  bool parseUnary(int32_t& out) {
    skipSpace();
    size_t begin = pos_;
    if (pos_ < text_.size() && text_[pos_] == '!' && text_.compare(pos_, 2, "!=") != 0) {
      ++pos_;
      return parseNot(begin, out);
    }
    std::string_view w = peekWord();
    if (!w.empty() && equalsIgnoreCase(w, "not")) {
      pos_ += w.size();
      return parseNot(begin, out);
    }
    if (pos_ < text_.size() && text_[pos_] == '(') {
      if (++depth_ > kMaxNesting) return fail(pos_, "the rule nests parentheses too deeply");
      size_t open = pos_++;
      if (!parseOr(out)) return false;
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ')') {
        if (pos_ >= text_.size())
          return fail(open, "'(' is never closed");
        return fail(pos_, "expected ')' to close the '(' at column " + std::to_string(columnOf(open)) +
                              " but found " + describeHere());
      }
      ++pos_;
      --depth_;
      // Spanning the parentheses lets explain quote a clause exactly as written.
      rule_.nodes_[out].begin = static_cast<uint32_t>(begin);
      rule_.nodes_[out].end = static_cast<uint32_t>(pos_);
      return true;
    }
    return parseTerm(out);
  }

  bool parseNot(size_t begin, int32_t& out) {
    if (++depth_ > kMaxNesting) return fail(begin, "the rule nests NOT too deeply");
    int32_t child = -1;
    if (!parseUnary(child)) return false;
    --depth_;
    out = addNode({MatchRule::Op::kNot, child, -1, -1, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos_)});
    return true;
  }

  size_t columnOf(size_t bytePos) const {
    size_t column = 1;
    for (size_t i = 0; i < bytePos && i < text_.size(); ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    return column;
  }

  bool parseName(std::string& name) {
    if (pos_ < text_.size() && text_[pos_] == '"') {
      size_t open = pos_;
      size_t close = text_.find('"', pos_ + 1);
      if (close == std::string::npos) return fail(open, "the quoted comparison name is never closed");
      name = text_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      return true;
    }
    std::string_view w = peekWord();
    if (w.empty() || equalsIgnoreCase(w, "and") || equalsIgnoreCase(w, "or")) {
      std::string found = describeHere();
      if (pos_ < text_.size() && (text_[pos_] == '&' || text_[pos_] == '|') &&
          text_.compare(pos_, 2, "&&") != 0 && text_.compare(pos_, 2, "||") != 0)
        return fail(pos_, "unexpected " + found + "; write AND (&&) or OR (||)");
      return fail(pos_, "expected a comparison name, NOT or '(' but found " + found);
    }
    name = std::string(w);
    pos_ += w.size();
    return true;
  }

  bool parseNumber(double& value, size_t& start) {
    skipSpace();
    start = pos_;
    size_t p = pos_;
    while (p < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[p])) || text_[p] == '.' ||
                                text_[p] == '-' || text_[p] == '+'))
      ++p;
    if (p == pos_) return false;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + p, value);
    if (ec != std::errc() || end != text_.data() + p) return false;
    pos_ = p;
    return true;
  }

  bool parseTerm(int32_t& out) {
    skipSpace();
    size_t begin = pos_;
    std::string name;
    if (!parseName(name)) return false;
    auto it = std::find_if(rule_.fields_.begin(), rule_.fields_.end(),
                           [&](const ScoringField& f) { return f.name == name; });
    if (it == rule_.fields_.end()) {
      std::string hint = closestComparisonName(name, rule_.fields_);
      std::string msg = "unknown comparison '" + name + "'";
      if (!hint.empty()) {
        msg += "; did you mean '" + hint + "'?";
      } else {
        std::string known;
        for (const auto& f : rule_.fields_) known += (known.empty() ? "" : ", ") + f.name;
        msg += known.empty() ? " (no comparisons are configured)" : " (known: " + known + ")";
      }
      return fail(begin, std::move(msg), std::move(hint));
    }
    RuleTerm term;
    term.field = static_cast<uint16_t>(it - rule_.fields_.begin());
    term.column = columnOf(begin);
    std::string spelt = spellName(name);
    skipSpace();
    bool tilde = pos_ < text_.size() && text_[pos_] == '~';
    bool ge = text_.compare(pos_, 2, ">=") == 0;
    if (tilde || ge) {
      pos_ += tilde ? 1 : 2;
      skipSpace();
      std::string_view w = peekWord();
      if (ge && !w.empty() && equalsIgnoreCase(w, "level")) {
        pos_ += w.size();
        double level = 0;
        size_t numPos = 0;
        if (!parseNumber(level, numPos))
          return fail(pos_, "expected a level number after '>= level' but found " + describeHere());
        if (level != std::floor(level) || level < 0 || level >= it->levels)
          return fail(numPos, "comparison '" + name + "' has levels 0.." + std::to_string(it->levels - 1) +
                                  "; level " + formatNumber(level) + " does not exist");
        term.kind = RuleTerm::Kind::kLevelAtLeast;
        term.level = static_cast<int>(level);
        term.text = spelt + " >= level " + std::to_string(term.level);
      } else {
        double threshold = 0;
        size_t numPos = 0;
        if (!parseNumber(threshold, numPos))
          return fail(pos_, std::string("expected a similarity threshold between 0 and 1 after '") +
                                (tilde ? "~" : ">=") + "' but found " + describeHere());
        if (!(threshold >= 0.0 && threshold <= 1.0))
          return fail(numPos, "similarity threshold " + formatNumber(threshold) + " is outside [0, 1]");
        term.kind = RuleTerm::Kind::kSimilarityAtLeast;
        term.threshold = threshold;
        term.text = spelt + " ~ " + formatNumber(threshold);
      }
    } else if (pos_ < text_.size() && (text_[pos_] == '>' || text_[pos_] == '=' || text_[pos_] == '<')) {
      return fail(pos_, "unsupported operator " + describeHere() + "; write 'name ~ 0.9' (similarity at least "
                                                                   "0.9) or 'name >= level 2'");
    } else {
      term.kind = RuleTerm::Kind::kExact;
      term.text = spelt;
    }
    rule_.terms_.push_back(std::move(term));
    out = addNode({MatchRule::Op::kTerm, -1, -1, static_cast<int32_t>(rule_.terms_.size() - 1),
                   static_cast<uint32_t>(begin), static_cast<uint32_t>(pos_)});
    return true;
  }

  // Post-order walk into postfix with a jump after each AND/OR left side; the stack high-water mark is checked
  // so evaluation can use a fixed array.
  bool compile() {
    using Op = MatchRule::Op;
    auto& program = rule_.program_;
    size_t depth = 0, maxDepth = 0;
    struct Step {
      int32_t node;
      int stage;     // 0: not yet visited, 1: left side emitted, 2: right side emitted
      size_t jump;   // the jump instruction to patch
    };
    std::vector<Step> work{{rule_.root_, 0, 0}};
    while (!work.empty()) {
      Step& step = work.back();
      const MatchRule::Node& node = rule_.nodes_[step.node];
      MatchRule::Instr ins;
      if (node.op == Op::kTerm) {
        const RuleTerm& t = rule_.terms_[node.term];
        ins.op = Op::kTerm;
        ins.field = t.field;
        ins.kind = t.kind;
        ins.threshold = t.kind == RuleTerm::Kind::kExact ? 1.0 : t.threshold;
        ins.level = static_cast<int16_t>(t.level);
        program.push_back(ins);
        maxDepth = std::max(maxDepth, ++depth);
        work.pop_back();
      } else if (node.op == Op::kNot) {
        if (step.stage++ == 0) {
          work.push_back({node.lhs, 0, 0});
          continue;
        }
        ins.op = Op::kNot;
        program.push_back(ins);
        work.pop_back();
      } else if (step.stage == 0) {
        step.stage = 1;
        work.push_back({node.lhs, 0, 0});
      } else if (step.stage == 1) {
        step.stage = 2;
        step.jump = program.size();
        ins.op = node.op == Op::kAnd ? Op::kJumpIfFalse : Op::kJumpIfTrue;
        program.push_back(ins);
        work.push_back({node.rhs, 0, 0});
      } else {
        ins.op = node.op;
        program.push_back(ins);
        --depth;
        program[step.jump].target = static_cast<uint16_t>(std::min<size_t>(program.size(), UINT16_MAX));
        work.pop_back();
      }
      if (program.size() >= UINT16_MAX) return fail(0, "the rule is too long to compile; split it");
    }
    if (maxDepth > MatchRule::kMaxStackDepth)
      return fail(0, "the rule nests too deeply (more than " + std::to_string(MatchRule::kMaxStackDepth) +
                         " pending operands); group it differently");
    return true;
  }

  MatchRule& rule_;
  RuleParseError& error_;
  const std::string& text_;
  size_t pos_ = 0;
  int depth_ = 0;
};

Result<MatchRule> MatchRule::parse(std::string_view text, std::vector<ScoringField> fields, RuleParseError* error) {
  MatchRule rule;
  rule.text_ = std::string(text);
  rule.fields_ = std::move(fields);
  if (rule.fields_.size() > UINT16_MAX) return invalidConfig("match rule: too many comparisons");
  RuleParseError local;
  RuleParseError& err = error ? *error : local;
  RuleParser parser(rule, err);
  if (!parser.run())
    return invalidConfig("match rule, column " + std::to_string(err.column) + ": " + err.message);
  return rule;
}

Truth MatchRule::evaluate(const PairVectors& pair) const {
  std::array<Truth, kMaxStackDepth> stack;
  size_t top = 0;
  const size_t n = program_.size();
  for (size_t pc = 0; pc < n; ++pc) {
    const Instr& ins = program_[pc];
    switch (ins.op) {
      case Op::kTerm:
        stack[top++] = ins.kind == RuleTerm::Kind::kLevelAtLeast ? testLevel(pair.levels[ins.field], ins.level)
                                                                  : testSimilarity(pair.similarities[ins.field],
                                                                                   ins.threshold);
        break;
      case Op::kNot:
        stack[top - 1] = kNot[static_cast<int>(stack[top - 1])];
        break;
      case Op::kAnd:
        --top;
        stack[top - 1] = kAnd[static_cast<int>(stack[top - 1])][static_cast<int>(stack[top])];
        break;
      case Op::kOr:
        --top;
        stack[top - 1] = kOr[static_cast<int>(stack[top - 1])][static_cast<int>(stack[top])];
        break;
      case Op::kJumpIfFalse:
        // The left side stays on the stack as the AND's value; the jump lands after the AND.
        if (stack[top - 1] == Truth::kFalse) pc = ins.target - 1u;
        break;
      case Op::kJumpIfTrue:
        if (stack[top - 1] == Truth::kTrue) pc = ins.target - 1u;
        break;
    }
  }
  return top == 1 ? stack[0] : Truth::kNull;
}

ScoreResult MatchRule::score(const PairVectors& pair) const {
  bool match = evaluate(pair) == Truth::kTrue;
  return {match ? 1.0 : 0.0, match};
}

Truth MatchRule::evalNode(int32_t n, const PairVectors& pair) const {
  const Node& node = nodes_[n];
  switch (node.op) {
    case Op::kTerm: return evalTerm(terms_[node.term], pair);
    case Op::kNot: return kNot[static_cast<int>(evalNode(node.lhs, pair))];
    case Op::kAnd:
      return kAnd[static_cast<int>(evalNode(node.lhs, pair))][static_cast<int>(evalNode(node.rhs, pair))];
    case Op::kOr:
      return kOr[static_cast<int>(evalNode(node.lhs, pair))][static_cast<int>(evalNode(node.rhs, pair))];
    case Op::kJumpIfFalse:
    case Op::kJumpIfTrue:
      break;
  }
  return Truth::kNull;
}

std::string MatchRule::canonicalNode(int32_t n) const {
  const Node& node = nodes_[n];
  switch (node.op) {
    case Op::kTerm: return terms_[node.term].text;
    case Op::kNot: return "NOT " + canonicalNode(node.lhs);
    case Op::kAnd: return "(" + canonicalNode(node.lhs) + " AND " + canonicalNode(node.rhs) + ")";
    case Op::kOr: return "(" + canonicalNode(node.lhs) + " OR " + canonicalNode(node.rhs) + ")";
    case Op::kJumpIfFalse:
    case Op::kJumpIfTrue:
      break;
  }
  return {};
}

std::string MatchRule::canonical() const { return root_ < 0 ? std::string() : canonicalNode(root_); }

void MatchRule::topClauses(int32_t n, std::vector<int32_t>& out) const {
  if (nodes_[n].op == Op::kOr) {
    topClauses(nodes_[n].lhs, out);
    topClauses(nodes_[n].rhs, out);
  } else {
    out.push_back(n);
  }
}

std::vector<TermOutcome> MatchRule::termOutcomes(const PairVectors& pair) const {
  std::vector<TermOutcome> out;
  for (const RuleTerm& t : terms_) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const TermOutcome& o) { return o.term->text == t.text; });
    if (seen) continue;
    TermOutcome o;
    o.term = &t;
    o.truth = evalTerm(t, pair);
    o.similarity = pair.similarities[t.field];
    o.level = pair.levels[t.field];
    out.push_back(o);
  }
  return out;
}

std::vector<size_t> MatchRule::referencedFields() const {
  std::vector<size_t> out;
  for (const RuleTerm& t : terms_) out.push_back(t.field);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Explanation MatchRule::explain(const PairVectors& pair) const {
  Explanation e;
  Truth overall = evaluate(pair);
  e.result = {overall == Truth::kTrue ? 1.0 : 0.0, overall == Truth::kTrue};

  std::vector<int32_t> clauses;
  if (root_ >= 0) topClauses(root_, clauses);
  std::vector<TermOutcome> outcomes = termOutcomes(pair);

  e.text = "rule " + text_ + "\n  result: " + truthName(overall) + (e.result.match ? " (match)" : " (no match)") +
           "\n";
  size_t width = 0;
  if (clauses.size() > 1)
    for (int32_t c : clauses) width = std::max<size_t>(width, nodes_[c].end - nodes_[c].begin);
  for (const auto& o : outcomes) width = std::max(width, o.term->text.size());
  auto pad = [width](std::string s) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
  };
  nlohmann::json clauseJson = nlohmann::json::array();
  if (clauses.size() > 1) {
    e.text += "  any of:\n";
    for (int32_t c : clauses) {
      std::string src = text_.substr(nodes_[c].begin, nodes_[c].end - nodes_[c].begin);
      Truth t = evalNode(c, pair);
      e.text += "    " + pad(src) + "  " + truthName(t) + "\n";
      clauseJson.push_back({{"text", src}, {"value", truthName(t)}});
    }
  }
  e.text += "  terms:\n";
  nlohmann::json termJson = nlohmann::json::array();
  bool anyNull = false;
  for (const auto& o : outcomes) {
    const std::string& field = fields_[o.term->field].name;
    std::string seen = o.term->kind == RuleTerm::Kind::kLevelAtLeast
                           ? (o.level < 0 ? std::string("null") : "level " + std::to_string(o.level))
                           : "similarity " + formatSimilarity(o.similarity);
    e.text += "    " + pad(o.term->text) + "  " + std::string(truthName(o.truth)) + "  (" + seen + ")\n";
    anyNull = anyNull || o.truth == Truth::kNull;
    nlohmann::json j = {{"term", o.term->text}, {"comparison", field}, {"value", truthName(o.truth)},
                        {"level", o.level}};
    j["similarity"] = std::isnan(o.similarity) ? nlohmann::json(nullptr) : nlohmann::json(o.similarity);
    termJson.push_back(std::move(j));
  }
  if (anyNull) e.text += "  a null term (a side is empty) is neither true nor false; only a true rule matches\n";
  e.json = {{"model", "rules"},   {"rule", text_},         {"canonical", canonical()},
            {"value", truthName(overall)}, {"match", e.result.match}, {"score", e.result.score},
            {"terms", std::move(termJson)}};
  if (clauses.size() > 1) e.json["clauses"] = std::move(clauseJson);
  return e;
}

}  // namespace crmsync::match
