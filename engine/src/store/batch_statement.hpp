// Writing many rows with one prepared statement. Values are collected column by column (TextCol, IntCol) and
// written in one call; how depends on the backend:
// Both write multi-row VALUES lists of 64, 32, ... 1 rows, each list size prepared once. An UPDATE is written as
// UPDATE ... FROM (VALUES ...) AS v WHERE id = v.columnN (SQLite since 3.33 and PostgreSQL both name the columns
// of a VALUES list column1, column2, ...): one statement per row costs SQLite a statement journal per row and
// PostgreSQL a round trip. Statements that cannot be multi-row (DELETE) run once per row.
//  - SQLite: on the native connection (see sqlite_native.hpp), values bound in place without copies; a
//    statement per row would spend a tenth of the load finishing statements.
//  - PostgreSQL: through SOCI with scalar binds, one round trip per list. (SOCI 4.0.3's PostgreSQL backend binds
//    vectors wrongly when a prepared statement is executed again, so its bulk binding is not used.)
#pragma once

#include <soci/soci.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database_url.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::store {

/// A text column of a batch. Elements are reused between batches, and so are their string buffers.
struct TextCol {
  std::vector<std::string> v;
  std::vector<soci::indicator> ind;
  size_t n = 0;

  void reset() { n = 0; }
  void push(std::string_view s);
  /// Takes the string's buffer instead of copying it.
  void push(std::string&& s);
  void pushNull();
  /// Pushes the value, or null when s is null or points at nullopt.
  void push(const std::optional<std::string>* s) {
    if (s && *s) {
      push(std::string_view(**s));
    } else {
      pushNull();
    }
  }
  /// Trims the vectors to the rows pushed since reset(); call before executing.
  void finish() {
    v.resize(n);
    ind.resize(n);
  }
  size_t size() const { return n; }
};

/// A 64-bit integer column of a batch.
struct IntCol {
  std::vector<long long> v;
  std::vector<soci::indicator> ind;

  void reset() {
    v.clear();
    ind.clear();
  }
  void push(long long x) {
    v.push_back(x);
    ind.push_back(soci::i_ok);
  }
  void pushNull() {
    v.push_back(0);
    ind.push_back(soci::i_null);
  }
  void finish() {}
  size_t size() const { return v.size(); }
};

/// A column bound to the i-th '?' of a row template.
struct BatchColumn {
  TextCol* text = nullptr;
  IntCol* ints = nullptr;
  BatchColumn(TextCol& t) : text(&t) {}  // NOLINT: a column list reads best as {colA, colB, ...}
  BatchColumn(IntCol& i) : ints(&i) {}   // NOLINT
};

/// One statement executed for every row of its columns. head + row template (+ ", " + row template ...) + tail
/// is the SQL; each '?' in the row template stands for the next column's value.
class BatchStatement {
 public:
  /// multiRow: the row template may be repeated between head and tail (INSERT ... VALUES, UPDATE ... FROM
  /// (VALUES ...) AS v WHERE ...); otherwise head + row + tail is one complete statement per row.
  BatchStatement(std::string head, std::string rowTemplate, std::vector<BatchColumn> columns, bool multiRow,
                 std::string tail = {});
  ~BatchStatement();

  /// Writes all rows currently in the columns (they must all have the same number). Throws soci_error.
  void execute(soci::session& sql, Backend backend);

 private:
  struct ScalarStatement;

  std::string sqlFor(size_t rows, Backend backend) const;
  ScalarStatement& scalarFor(soci::session& sql, size_t rows);

  std::string head_;
  std::string row_;
  std::string tail_;
  std::vector<BatchColumn> columns_;
  bool multiRow_;
  std::map<size_t, std::unique_ptr<SqliteStatement>> sqlite_;
  std::map<size_t, std::unique_ptr<ScalarStatement>> scalar_;
};

}  // namespace crmsync::store
