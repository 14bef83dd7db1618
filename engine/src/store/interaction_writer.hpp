// Interactions (emails, calls, messages) as rows of the interaction table, linked to the customer that owns
// the party's contact point. Part of a run's transaction (SqlRunTransaction); the record itself is kept in
// source_record like every other, this is its queryable form.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmsync/core/record.hpp"
#include "store/batch_statement.hpp"
#include "store/database_url.hpp"
#include "store/sqlite_native.hpp"

namespace crmsync::store {

/// The entity whose records become interaction rows.
inline constexpr std::string_view kInteractionEntity = "interaction";

class InteractionWriter {
 public:
  InteractionWriter(soci::session& sql, Backend backend, long long runId);
  ~InteractionWriter();

  /// Queues a new or changed interaction record of source for write().
  void add(const std::string& source, const Record& record);
  bool empty() const { return queued_.empty(); }

  /// Links the queued interactions to customers and writes them (insert, or update of the row with the same
  /// source and key). The contact points of customers loaded before them must already be written.
  void write(const std::string& now);

  /// Links interactions still without a customer to the customers that now own their party's contact point;
  /// returns how many were linked. Run after new contact points are written.
  long long linkUnlinked(const std::string& now);

 private:
  /// Finds the customer owning each contact point (kind, value) (the lowest id when several share it).
  void resolve(const char* kind, std::vector<std::string>& values);

  soci::session& sql_;
  Backend backend_;
  long long runId_;
  std::vector<std::pair<const std::string*, const Record*>> queued_;
  // per write: the customer of each distinct (kind, value)
  std::unordered_map<std::string, long long> owner_;
  std::unique_ptr<SqliteStatement> sqliteOwner_;

  TextCol source_, key_, channel_, direction_, occurredAt_, subject_, summary_, partyEmail_, partyPhone_,
      partyHandle_, threadKey_, outcome_, now_;
  IntCol customer_, duration_, run_;
  BatchStatement upsert_;
};

}  // namespace crmsync::store
