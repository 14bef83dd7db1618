#include "store/batch_statement.hpp"

#include <stdexcept>

namespace crmsync::store {
namespace {

// Rows per multi-row statement on PostgreSQL: 64 rows of the widest table (customer, 23 columns) stay far
// below the 65535-parameter limit, and one round trip per 64 rows hides the network.
constexpr size_t kMaxRowsPerStatement = 64;

}  // namespace

void TextCol::push(std::string_view s) {
  if (n < v.size()) {
    v[n].assign(s.data(), s.size());
    ind[n] = soci::i_ok;
  } else {
    v.emplace_back(s);
    ind.push_back(soci::i_ok);
  }
  ++n;
}

void TextCol::push(std::string&& s) {
  if (n < v.size()) {
    v[n] = std::move(s);
    ind[n] = soci::i_ok;
  } else {
    v.push_back(std::move(s));
    ind.push_back(soci::i_ok);
  }
  ++n;
}

void TextCol::pushNull() {
  if (n < v.size()) {
    v[n].clear();
    ind[n] = soci::i_null;
  } else {
    v.emplace_back();
    ind.push_back(soci::i_null);
  }
  ++n;
}

// Scalar slots for `rows` rows, bound by reference; values are copied in before each execution.
struct BatchStatement::ScalarStatement {
  std::vector<std::string> text;
  std::vector<long long> ints;
  std::vector<soci::indicator> ind;
  std::unique_ptr<soci::statement> st;
};

BatchStatement::BatchStatement(std::string head, std::string rowTemplate, std::vector<BatchColumn> columns,
                               bool multiRow, std::string tail)
    : head_(std::move(head)),
      row_(std::move(rowTemplate)),
      tail_(std::move(tail)),
      columns_(std::move(columns)),
      multiRow_(multiRow) {}

BatchStatement::~BatchStatement() = default;

std::string BatchStatement::sqlFor(size_t rows, Backend backend) const {
  std::string sql = head_;
  for (size_t r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    size_t col = 0;
    for (char c : row_) {
      if (c != '?') {
        sql += c;
        continue;
      }
      ++col;
      // SQLite binds by position, and its parser numbers a bare '?' at no cost, while it looks up every named
      // or numbered parameter in a list of those before it: a 64-row customer insert (1,600 parameters) took
      // about 2 ms to prepare with names. SOCI binds PostgreSQL by name; distinct names, because PostgreSQL
      // binds a repeated name once per occurrence.
      if (backend == Backend::kSqlite) {
        sql += '?';
      } else {
        sql += ":p" + std::to_string(r) + "_" + std::to_string(col - 1);
      }
    }
    if (col != columns_.size()) throw std::logic_error("batch statement: placeholder count differs from columns");
  }
  return sql + tail_;
}

BatchStatement::ScalarStatement& BatchStatement::scalarFor(soci::session& sql, size_t rows) {
  auto& slot = scalar_[rows];
  if (slot) return *slot;
  auto s = std::make_unique<ScalarStatement>();
  const size_t slots = rows * columns_.size();
  s->text.resize(slots);
  s->ints.resize(slots);
  s->ind.resize(slots);
  auto st = std::make_unique<soci::statement>(sql);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      const size_t i = r * columns_.size() + c;
      if (columns_[c].text) {
        st->exchange(soci::use(s->text[i], s->ind[i]));
      } else {
        st->exchange(soci::use(s->ints[i], s->ind[i]));
      }
    }
  }
  st->alloc();
  st->prepare(sqlFor(rows, Backend::kPostgresql));
  st->define_and_bind();
  s->st = std::move(st);
  slot = std::move(s);
  return *slot;
}

void BatchStatement::execute(soci::session& sql, Backend backend) {
  for (auto& c : columns_) {
    if (c.text) c.text->finish();
  }
  const size_t rows = columns_.front().text ? columns_.front().text->size() : columns_.front().ints->size();
  for (const auto& c : columns_) {
    if ((c.text ? c.text->size() : c.ints->size()) != rows) {
      throw std::logic_error("batch statement: columns of different lengths");
    }
  }
  if (rows == 0) return;

  size_t done = 0;
  while (done < rows) {
    size_t take = 1;
    if (multiRow_) {
      while (take * 2 <= kMaxRowsPerStatement && take * 2 <= rows - done) take *= 2;
    }
    if (backend == Backend::kSqlite) {
      auto& st = sqlite_[take];
      if (!st) st = std::make_unique<SqliteStatement>(sqliteHandle(sql), sqlFor(take, backend));
      int p = 1;
      for (size_t r = done; r < done + take; ++r) {
        for (const auto& col : columns_) {
          if (const TextCol* t = col.text) {
            if (t->ind[r] == soci::i_null) {
              st->bindNull(p);
            } else {
              st->bindText(p, t->v[r]);
            }
          } else if (col.ints->ind[r] == soci::i_null) {
            st->bindNull(p);
          } else {
            st->bindInt(p, col.ints->v[r]);
          }
          ++p;
        }
      }
      st->run();
      done += take;
      continue;
    }
    ScalarStatement& s = scalarFor(sql, take);
    for (size_t r = 0; r < take; ++r) {
      for (size_t c = 0; c < columns_.size(); ++c) {
        const size_t i = r * columns_.size() + c;
        if (const TextCol* t = columns_[c].text) {
          s.text[i] = t->v[done + r];
          s.ind[i] = t->ind[done + r];
        } else {
          s.ints[i] = columns_[c].ints->v[done + r];
          s.ind[i] = columns_[c].ints->ind[done + r];
        }
      }
    }
    s.st->execute(true);
    done += take;
  }
}

}  // namespace crmsync::store
