#include "store/entity_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "store/record_codec.hpp"
#include "store/run_statements.hpp"

namespace crmsync::store {

enum class ColumnKind { kText, kInt, kNumber };

struct EntityColumn {
  const char* name;
  ColumnKind kind;
};

// A contact point kind and the field that names the party by it. erp_id values are the source's own ids, so
// they are looked up as "<source>:<id>", the form customer records of that source store them in.
struct PartyField {
  const char* kind;
  const char* field;
};

struct EntityTable {
  const char* entity;
  const char* table;
  std::vector<EntityColumn> columns;
  std::vector<PartyField> parties;  // empty: the row belongs to an order (order_line)
  bool confirmsCustomer = false;    // a confirmed order makes its customer an existing customer
};

namespace {

const std::vector<PartyField> kAllParties = {
    {"erp_id", "party_erp_id"}, {"email", "party_email"}, {"phone", "party_phone"}, {"handle", "party_handle"}};

const EntityTable kInteraction{"interaction",
                               "interaction",
                               {{"channel", ColumnKind::kText},
                                {"direction", ColumnKind::kText},
                                {"occurred_at", ColumnKind::kText},
                                {"duration_s", ColumnKind::kInt},
                                {"subject", ColumnKind::kText},
                                {"summary", ColumnKind::kText},
                                {"party_email", ColumnKind::kText},
                                {"party_phone", ColumnKind::kText},
                                {"party_handle", ColumnKind::kText},
                                {"thread_key", ColumnKind::kText},
                                {"outcome", ColumnKind::kText}},
                               {{"email", "party_email"}, {"phone", "party_phone"}, {"handle", "party_handle"}}};

const EntityTable kOrder{"order",
                         "sales_order",
                         {{"order_no", ColumnKind::kText},
                          {"party_email", ColumnKind::kText},
                          {"party_phone", ColumnKind::kText},
                          {"party_handle", ColumnKind::kText},
                          {"party_erp_id", ColumnKind::kText},
                          {"order_date", ColumnKind::kText},
                          {"status", ColumnKind::kText},
                          {"total", ColumnKind::kNumber},
                          {"currency", ColumnKind::kText}},
                         kAllParties,
                         true};

const EntityTable kOrderLine{"order_line",
                             "order_line",
                             {{"line_no", ColumnKind::kInt},
                              {"sku", ColumnKind::kText},
                              {"qty", ColumnKind::kNumber},
                              {"unit_price", ColumnKind::kNumber},
                              {"amount", ColumnKind::kNumber}},
                             {}};

const EntityTable kFeedback{"feedback",
                            "feedback",
                            {{"kind", ColumnKind::kText},
                             {"rating", ColumnKind::kNumber},
                             {"nps", ColumnKind::kInt},
                             {"text", ColumnKind::kText},
                             {"status", ColumnKind::kText},
                             {"occurred_at", ColumnKind::kText},
                             {"party_email", ColumnKind::kText},
                             {"party_phone", ColumnKind::kText},
                             {"party_handle", ColumnKind::kText},
                             {"party_erp_id", ColumnKind::kText}},
                            kAllParties};

const EntityTable kOpportunity{"opportunity",
                               "opportunity",
                               {{"name", ColumnKind::kText},
                                {"stage", ColumnKind::kText},
                                {"probability", ColumnKind::kNumber},
                                {"amount", ColumnKind::kNumber},
                                {"currency", ColumnKind::kText},
                                {"expected_close", ColumnKind::kText},
                                {"status", ColumnKind::kText},
                                {"party_email", ColumnKind::kText},
                                {"party_phone", ColumnKind::kText},
                                {"party_handle", ColumnKind::kText},
                                {"party_erp_id", ColumnKind::kText}},
                               kAllParties};

const std::optional<std::string>* field(const Record& r, std::string_view name) {
  const auto* v = r.find(name);
  return v && *v && !(*v)->empty() ? v : nullptr;
}

std::string ownerKey(const char* kind, std::string_view value) {
  std::string k(kind);
  k.push_back('\x1f');
  k.append(value);
  return k;
}

// The value a party field is looked up by: erp ids are qualified by their source.
std::string partyValue(const PartyField& p, const std::string& source, const std::string& value) {
  return std::string_view(p.kind) == "erp_id" ? source + ":" + value : value;
}

// A whole number (duration_s, line_no, nps); anything else leaves the column empty and the text in the payload.
std::optional<long long> wholeNumber(const std::optional<std::string>* v) {
  if (!v) return std::nullopt;
  const std::string& s = **v;
  long long out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return out;
}

// A decimal number as both SQLite and PostgreSQL read it ("-12.50", "3e2"); "12,5" or "n/a" is not one.
bool isDecimal(std::string_view s) {
  if (s.empty() || s.size() >= 64) return false;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  size_t mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

bool confirmed(const Record& r) {
  const auto* s = field(r, "status");
  return s && (**s == "confirmed" || **s == "done");
}

std::string linkColumn(const EntityTable& t) { return t.parties.empty() ? "order_id" : "customer_id"; }

}  // namespace

const EntityTable* entityTable(std::string_view entity) {
  for (const EntityTable* t : entityTables()) {
    if (entity == t->entity) return t;
  }
  return nullptr;
}

const std::vector<const EntityTable*>& entityTables() {
  static const std::vector<const EntityTable*> tables = {&kInteraction, &kOrder, &kFeedback, &kOpportunity,
                                                         &kOrderLine};
  return tables;
}

EntityWriter::EntityWriter(const EntityTable& table, soci::session& sql, Backend backend, long long runId)
    : table_(table), sql_(sql), backend_(backend), runId_(runId) {
  // Every column gets a slot of its kind; the vectors are sized once, so the bound references stay valid.
  text_.resize(table.columns.size());
  ints_.resize(table.columns.size());
  std::vector<BatchColumn> bound{source_, key_, link_};
  std::string columns = "source, source_key, " + linkColumn(table);
  std::string row = "(?, ?, ?";
  std::string updates = linkColumn(table) + " = excluded." + linkColumn(table);
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const std::string name = table.columns[c].name;
    columns += ", " + name;
    row += ", ?";
    updates += ", " + name + " = excluded." + name;
    if (table.columns[c].kind == ColumnKind::kInt) {
      bound.emplace_back(ints_[c]);
    } else {
      bound.emplace_back(text_[c]);
    }
  }
  columns += ", created_run, updated_run, created_at, updated_at";
  row += ", ?, ?, ?, ?)";
  updates += ", updated_run = excluded.updated_run, updated_at = excluded.updated_at";
  for (BatchColumn c : {BatchColumn(run_), BatchColumn(run_), BatchColumn(now_), BatchColumn(now_)}) {
    bound.push_back(c);
  }
  // A changed record rewrites every column it feeds; the row keeps when and in which run it was created.
  upsert_ = std::make_unique<BatchStatement>(std::string("INSERT INTO ") + table.table + " (" + columns + ") VALUES ",
                                             row, bound, true,
                                             " ON CONFLICT (source, source_key) DO UPDATE SET " + updates);
}

EntityWriter::~EntityWriter() = default;

void EntityWriter::add(const std::string& source, const Record& record) { queued_.emplace_back(&source, &record); }

void EntityWriter::resolve(const char* kind, std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.empty()) return;
  if (backend_ == Backend::kSqlite) {
    if (!sqliteOwner_) {
      sqliteOwner_ = std::make_unique<SqliteStatement>(
          sqliteHandle(sql_),
          "SELECT customer_id FROM contact_point WHERE kind = ?1 AND value_norm = ?2 ORDER BY customer_id LIMIT 1");
    }
    SqliteStatement& q = *sqliteOwner_;
    q.bindText(1, kind);
    for (const auto& v : values) {
      q.bindText(2, v);
      if (q.next()) {
        owner_[ownerKey(kind, v)] = q.columnInt(0);
        q.reset();
      }
    }
    return;
  }
  // PostgreSQL: kLookupKeys values per round trip; short rounds repeat their last value.
  std::string k(kind);
  std::array<std::string, kLookupKeys> in;
  std::vector<std::string> foundValue(kLookupKeys + 1);
  std::vector<long long> foundOwner(kLookupKeys + 1);
  soci::statement st(sql_);
  st.exchange(soci::use(k));
  for (auto& v : in) st.exchange(soci::use(v));
  st.exchange(soci::into(foundValue));
  st.exchange(soci::into(foundOwner));
  st.alloc();
  st.prepare("SELECT value_norm, MIN(customer_id) FROM contact_point WHERE kind = :k AND value_norm IN (" +
             placeholders("v", kLookupKeys) + ") GROUP BY value_norm");
  st.define_and_bind();
  for (size_t g = 0; g < values.size(); g += kLookupKeys) {
    const size_t m = std::min(kLookupKeys, values.size() - g);
    for (size_t j = 0; j < kLookupKeys; ++j) in[j] = values[g + std::min(j, m - 1)];
    foundValue.resize(kLookupKeys + 1);
    foundOwner.resize(kLookupKeys + 1);
    if (!st.execute(true)) continue;
    for (size_t r = 0; r < foundValue.size(); ++r) owner_[ownerKey(kind, foundValue[r])] = foundOwner[r];
  }
}

// The orders of order lines, by (source, source_key) of the order: owner_ under kind "order".
void EntityWriter::resolveOrders(const std::string& source, std::vector<std::string>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (backend_ == Backend::kSqlite) {
    if (!sqliteOrder_) {
      sqliteOrder_ = std::make_unique<SqliteStatement>(
          sqliteHandle(sql_), "SELECT id FROM sales_order WHERE source = ?1 AND source_key = ?2");
    }
    SqliteStatement& q = *sqliteOrder_;
    q.bindText(1, source);
    for (const auto& k : keys) {
      q.bindText(2, k);
      if (q.next()) {
        owner_[ownerKey("order", k)] = q.columnInt(0);
        q.reset();
      }
    }
    return;
  }
  std::string s = source, k;
  long long id = 0;
  soci::indicator ind = soci::i_null;
  soci::statement st = (sql_.prepare << "SELECT id FROM sales_order WHERE source = :s AND source_key = :k",
                        soci::use(s), soci::use(k), soci::into(id, ind));
  for (const auto& key : keys) {
    k = key;
    if (st.execute(true) && ind == soci::i_ok) owner_[ownerKey("order", key)] = id;
  }
}

void EntityWriter::markExisting(long long customerId, const std::string& source, const Record& order,
                                const std::string& now) {
  long long golden = 0;
  std::string lifecycle;
  soci::indicator lifecycleInd = soci::i_null;
  long long id = customerId;
  sql_ << "SELECT g.id, g.lifecycle FROM customer c JOIN customer g ON g.id = COALESCE(c.merged_into, c.id) "
          "WHERE c.id = :id",
      soci::use(id), soci::into(golden), soci::into(lifecycle, lifecycleInd);
  if (!sql_.got_data() || !madeExisting_.insert(golden).second) return;
  if (lifecycleInd == soci::i_ok && lifecycle == "existing") return;
  const auto* date = field(order, "order_date");
  const auto* number = field(order, "order_no");
  std::string occurred = date ? **date : now;
  std::string reason = "confirmed order " + (number ? **number : order.sourceKey);
  std::string to = "existing";
  std::string src = source;
  long long run = runId_;
  soci::indicator fromInd = lifecycleInd == soci::i_ok ? soci::i_ok : soci::i_null;
  sql_ << "UPDATE customer SET lifecycle = :l, updated_run = :r, updated_at = :t WHERE id = :id", soci::use(to),
      soci::use(run), soci::use(now), soci::use(golden);
  sql_ << "INSERT INTO lifecycle_event (customer_id, from_lifecycle, to_lifecycle, occurred_at, reason, source, run_id, "
          "created_at) VALUES (:c, :f, :to, :o, :why, :s, :r, :t)",
      soci::use(golden), soci::use(lifecycle, fromInd), soci::use(to), soci::use(occurred), soci::use(reason),
      soci::use(src), soci::use(run), soci::use(now);
}

void EntityWriter::write(const std::string& now, std::vector<UnwrittenRecord>& unwritten) {
  if (queued_.empty()) return;
  owner_.clear();
  if (table_.parties.empty()) {
    std::unordered_map<std::string, std::vector<std::string>> keys;  // by source
    for (const auto& [source, r] : queued_) {
      if (const auto* k = field(*r, "order_key")) keys[*source].push_back(**k);
    }
    for (auto& [source, k] : keys) resolveOrders(source, k);
  } else {
    for (const auto& p : table_.parties) {
      std::vector<std::string> values;
      for (const auto& [source, r] : queued_) {
        if (const auto* v = field(*r, p.field)) values.push_back(partyValue(p, *source, **v));
      }
      resolve(p.kind, values);
    }
  }

  for (auto& c : text_) c.reset();
  for (auto& c : ints_) c.reset();
  for (TextCol* c : {&source_, &key_, &now_}) c->reset();
  for (IntCol* c : {&link_, &run_}) c->reset();
  std::vector<std::pair<long long, size_t>> confirmedOrders;  // (customer, queued index)
  for (size_t q = 0; q < queued_.size(); ++q) {
    const auto& [source, r] = queued_[q];
    long long link = 0;
    if (table_.parties.empty()) {
      const auto* k = field(*r, "order_key");
      auto it = k ? owner_.find(ownerKey("order", **k)) : owner_.end();
      if (it == owner_.end()) {
        unwritten.push_back({*source, r->sourceKey, r->origin,
                             k ? "order line " + r->sourceKey + ": its order " + **k + " is not loaded"
                               : "order line " + r->sourceKey + " has no order_key",
                             payloadJson(*r)});
        continue;
      }
      link = it->second;
    } else {
      for (const auto& p : table_.parties) {
        const auto* v = field(*r, p.field);
        if (!v) continue;
        auto it = owner_.find(ownerKey(p.kind, partyValue(p, *source, **v)));
        if (it != owner_.end()) {
          link = it->second;
          break;
        }
      }
    }
    source_.push(*source);
    key_.push(r->sourceKey);
    if (link) {
      link_.push(link);
    } else {
      link_.pushNull();
    }
    for (size_t c = 0; c < table_.columns.size(); ++c) {
      const auto* v = field(*r, table_.columns[c].name);
      switch (table_.columns[c].kind) {
        case ColumnKind::kText: text_[c].push(v); break;
        case ColumnKind::kInt:
          if (auto n = wholeNumber(v)) {
            ints_[c].push(*n);
          } else {
            ints_[c].pushNull();
          }
          break;
        case ColumnKind::kNumber:
          if (v && isDecimal(**v)) {
            text_[c].push(std::string_view(**v));
          } else {
            text_[c].pushNull();
          }
          break;
      }
    }
    run_.push(runId_);
    now_.push(now);
    if (table_.confirmsCustomer && link && confirmed(*r)) confirmedOrders.emplace_back(link, q);
  }
  if (source_.size() > 0) upsert_->execute(sql_, backend_);
  for (const auto& [customer, q] : confirmedOrders) markExisting(customer, *queued_[q].first, *queued_[q].second, now);
  queued_.clear();
}

long long linkUnlinked(const EntityTable& table, soci::session& sql, long long runId, const std::string& now) {
  if (table.parties.empty()) return 0;
  long long unlinked = 0;
  sql << std::string("SELECT COUNT(*) FROM ") + table.table + " WHERE customer_id IS NULL", soci::into(unlinked);
  if (unlinked == 0) return 0;
  auto lookup = [&](const PartyField& p, const char* aggregate) {
    const std::string value = std::string_view(p.kind) == "erp_id"
                                  ? std::string(table.table) + ".source || ':' || " + table.table + "." + p.field
                                  : std::string(table.table) + "." + p.field;
    return std::string("(SELECT ") + aggregate + " FROM contact_point cp WHERE cp.kind = '" + p.kind +
           "' AND cp.value_norm = " + value + ")";
  };
  std::string coalesce, exists;
  for (const auto& p : table.parties) {
    coalesce += (coalesce.empty() ? "" : ", ") + lookup(p, "MIN(cp.customer_id)");
    exists += (exists.empty() ? "" : " OR ") + std::string("EXISTS ") + lookup(p, "1");
  }
  long long run = runId;
  std::string at = now;
  soci::statement st = (sql.prepare << std::string("UPDATE ") + table.table + " SET customer_id = COALESCE(" +
                                            coalesce + "), updated_run = :r, updated_at = :t WHERE customer_id IS NULL "
                                            "AND (" + exists + ")",
                        soci::use(run), soci::use(at));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace crmsync::store
