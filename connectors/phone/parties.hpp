// Which side of a call is ours: internal extensions and numbers given as Asterisk-style dial patterns, and
// dialplan contexts that only internal phones dial from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmsync::phone {

/// One pattern of the `internal` setting. Without a leading '_' it is a literal number ("8005550100"); with one
/// it is an Asterisk dial pattern: X = 0-9, Z = 1-9, N = 2-9, [1-5] or [247] = one of those digits, '.' = one
/// or more characters, '!' = zero or more; other characters stand for themselves ("_2XXX", "_+8610XXXXXXXX").
class NumberPattern {
 public:
  /// Returns false and sets *problem when the pattern is malformed (an unclosed '[').
  static bool parse(std::string_view text, NumberPattern& out, std::string* problem);
  bool matches(std::string_view number) const;
  const std::string& text() const { return text_; }

 private:
  struct Element {
    enum Kind { Literal, Set, OneOrMore, ZeroOrMore } kind = Literal;
    char literal = 0;
    bool set[256] = {};
  };
  bool matchFrom(size_t element, std::string_view rest) const;

  std::string text_;
  std::vector<Element> elements_;
};

/// The `internal` and `internal_contexts` settings together.
class InternalParties {
 public:
  /// Throws sdk::Error(CRMSYNC_ERR_CONFIG) naming the setting when a pattern is malformed.
  InternalParties(const std::vector<std::string>& patterns, const std::vector<std::string>& contexts);

  bool isInternalNumber(std::string_view number) const;
  bool isInternalContext(std::string_view context) const;
  bool empty() const { return patterns_.empty() && contexts_.empty(); }

 private:
  std::vector<NumberPattern> patterns_;
  std::vector<std::string> contexts_;
};

/// True when `text` can be a phone number of an outside party: at least three digits, and otherwise only
/// '+' at the start and the separators people write (space, '-', '.', '(', ')', '/'). "anonymous", "s",
/// "Restricted" and empty caller IDs are not.
bool looksLikePhoneNumber(std::string_view text);

/// The display name in an Asterisk clid such as "\"Alice Smith\" <2889>": the quoted (or bare) part before
/// '<', trimmed; empty when there is none. The number between '<' '>' goes to *number when given.
std::string clidName(std::string_view clid, std::string* number = nullptr);

/// True when a caller-ID name says who called: not empty and not a number (phones without a directory entry
/// send their number again as the name, "2889" for 2889).
bool isCallerName(std::string_view name);

}  // namespace crmsync::phone
