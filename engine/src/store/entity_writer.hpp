// The canonical entities other than customers (interactions, orders, order lines, feedback, opportunities) as
// rows of their own tables, linked to the customer that owns the party's contact point (an order line: to its
// order). Part of a run's transaction (SqlRunTransaction); the record itself is kept in source_record like every
// other, this is its queryable form.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crmsync/core/record.hpp"
#include "crmsync/core/status.hpp"
#include "store/batch_statement.hpp"
#include "store/database_url.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::store {

struct EntityTable;

/// The table of entity name, or null when the entity is stored in source_record only (customers, unknown ones).
const EntityTable* entityTable(std::string_view entity);

/// Entity tables in the order their rows are written within a batch: orders before their lines.
const std::vector<const EntityTable*>& entityTables();

/// A record whose row could not be written (an order line whose order is not loaded).
struct UnwrittenRecord {
  std::string source;
  std::string sourceKey;
  std::string origin;
  std::string reason;
  std::string payload;  // the record's payload JSON
};

/// Links rows of table still without a customer to the customers that now own their party's contact point;
/// returns how many were linked. Run after new contact points are written.
long long linkUnlinked(const EntityTable& table, soci::session& sql, long long runId, const std::string& now);

class EntityWriter {
 public:
  EntityWriter(const EntityTable& table, soci::session& sql, Backend backend, long long runId);
  ~EntityWriter();

  /// Queues a new or changed record of source for write(); the record must outlive the write.
  void add(const std::string& source, const Record& record);
  bool empty() const { return queued_.empty(); }

  /// Links the queued records (party to customer, or line to order) and writes them (insert, or update of the
  /// row with the same source and key). The contact points of customers loaded before them must be written.
  /// Records that cannot be written are appended to unwritten. A confirmed order makes its customer existing.
  void write(const std::string& now, std::vector<UnwrittenRecord>& unwritten);

 private:
  /// Finds the customer owning each contact point (kind, value) (the lowest id when several share it).
  void resolve(const char* kind, std::vector<std::string>& values);
  void resolveOrders(const std::string& source, std::vector<std::string>& keys);
  void markExisting(long long customerId, const std::string& source, const Record& order, const std::string& now);

  const EntityTable& table_;
  soci::session& sql_;
  Backend backend_;
  long long runId_;
  std::vector<std::pair<const std::string*, const Record*>> queued_;
  std::unordered_map<std::string, long long> owner_;  // "kind\x1fvalue" -> customer, per write
  std::unique_ptr<SqliteStatement> sqliteOwner_, sqliteOrder_;
  std::unordered_set<long long> madeExisting_;  // golden customers this run already made existing

  std::vector<TextCol> text_;
  std::vector<IntCol> ints_;
  TextCol source_, key_, now_;
  IntCol link_, run_;
  std::unique_ptr<BatchStatement> upsert_;
};

}  // namespace crmsync::store
