#include "store/run_statements.hpp"

namespace crmsync::store {
namespace {

std::string customerColumnList() {
  std::string out;
  for (auto c : kCustomerFieldColumns) {
    out += ", ";
    out += c;
  }
  return out;
}

std::string customerInsertRow() {
  std::string row = "(?";
  // kind is NOT NULL; a record that does not say is a person.
  for (auto c : kCustomerFieldColumns) row += c == "kind" ? ", COALESCE(?, 'person')" : ", ?";
  return row + ", ?, ?, ?, ?)";
}

// Only the columns the record carries change; a field the record lacks leaves its column alone.
std::string customerUpdateSql() {
  std::string sets;
  for (auto c : kCustomerFieldColumns) {
    const std::string col(c);
    const std::string value = col == "kind" ? "COALESCE(?, 'person')" : "?";
    sets += col + " = CASE WHEN ? = 1 THEN " + value + " ELSE " + col + " END, ";
  }
  return "UPDATE customer SET " + sets + "updated_run = ?, updated_at = ? WHERE id = ?";
}


}  // namespace

std::string placeholders(std::string_view prefix, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += ":";
    out += prefix;
    out += std::to_string(i);
  }
  return out;
}

std::vector<BatchColumn> RunStatements::customerInsertColumns() {
  std::vector<BatchColumn> cols{custId};
  for (auto& c : custCols) cols.emplace_back(c);
  for (BatchColumn c : {BatchColumn(custRun), BatchColumn(custRun), BatchColumn(custNow), BatchColumn(custNow)}) {
    cols.push_back(c);
  }
  return cols;
}

std::vector<BatchColumn> RunStatements::customerUpdateColumns() {
  std::vector<BatchColumn> cols;
  for (size_t c = 0; c < kCustomerColumns; ++c) {
    cols.emplace_back(updHas[c]);
    cols.emplace_back(updCols[c]);
  }
  for (BatchColumn c : {BatchColumn(updRun), BatchColumn(updNow), BatchColumn(updId)}) cols.push_back(c);
  return cols;
}

RunStatements::RunStatements()
    : insertCustomer("INSERT INTO customer (id" + customerColumnList() +
                         ", created_run, updated_run, created_at, updated_at) VALUES ",
                     customerInsertRow(), customerInsertColumns(), true),
      updateCustomer("", customerUpdateSql(), customerUpdateColumns(), false),
      insertSourceRecord("INSERT INTO source_record (source, entity, source_key, record_hash, payload, quality_flags, "
                         "origin, customer_id, first_run, last_run, source_updated_at, updated_at) VALUES ",
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         {srSource, srEntity, srKey, srHash, srPayload, srFlags, srOrigin, srCustomer, srRun, srRun,
                          srSourceUpdated, srNow},
                         true),
      updateSourceRecord("",
                         "UPDATE source_record SET record_hash = ?, payload = ?, quality_flags = ?, origin = ?, "
                         "customer_id = COALESCE(?, customer_id), last_run = ?, source_updated_at = ?, "
                         "updated_at = ? WHERE id = ?",
                         {suHash, suPayload, suFlags, suOrigin, suCustomer, suRun, suSourceUpdated, suNow, suId},
                         false),
      deleteContactPoints("", "DELETE FROM contact_point WHERE kind = ? AND value_norm = ? AND customer_id = ?",
                          {cdKind, cdValue, cdCustomer}, false),
      insertContactPoints("INSERT INTO contact_point (kind, value_norm, customer_id) VALUES ", "(?, ?, ?)",
                          {cpKind, cpValue, cpCustomer}, true) {}

void RunStatements::resetColumns() {
  for (IntCol* c : {&custId, &custRun, &updId, &updRun, &srCustomer, &srRun, &suId, &suCustomer, &suRun, &cdCustomer,
                    &cpCustomer}) {
    c->reset();
  }
  for (auto& c : updHas) c.reset();
  for (auto& c : custCols) c.reset();
  for (auto& c : updCols) c.reset();
  for (TextCol* c : {&custNow, &updNow, &srSource, &srEntity, &srKey, &srHash, &srPayload, &srFlags, &srOrigin,
                     &srSourceUpdated, &srNow, &suHash, &suPayload, &suFlags, &suOrigin, &suSourceUpdated, &suNow,
                     &cdKind, &cdValue, &cpKind, &cpValue}) {
    c->reset();
  }
}

}  // namespace crmsync::store
