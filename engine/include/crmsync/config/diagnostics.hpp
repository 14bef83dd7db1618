// Problems found in a pipeline file, each with file:line:column, collected so `validate` reports all at once.
#pragma once

#include <string>
#include <vector>

namespace crmsync::config {

/// A place in a file; line and column are 1-based, 0 when unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;
};

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  Location where;
  std::string message;
  /// "file:line:column: error: message"
  std::string str() const;
};

class Diagnostics {
 public:
  void error(const Location& where, std::string message);
  void warning(const Location& where, std::string message);
  bool hasErrors() const;
  size_t errorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  /// Sorted by file, line, column; one per line.
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
};

/// The closest candidate to word by Damerau-Levenshtein distance, or "" when none is close enough to suggest.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace crmsync::config
