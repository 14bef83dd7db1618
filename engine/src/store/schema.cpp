#include "store/schema.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "crmsync/store/store.hpp"
#include "store/sql_error.hpp"

namespace crmsync::store {
namespace {

// Timestamps are ISO 8601 UTC TEXT everywhere; references to run rows from the high-volume tables (customer,
// source_record) are plain BIGINT without a foreign key, because runs are never deleted and the checks would
// cost the load path; references between customer data are real foreign keys, except contact_point.customer_id
// (see migration 2).
const std::vector<Migration> kMigrations = {
    {1,
     "initial schema",
     {
         R"(CREATE TABLE run (
  id {{ID}},
  pipeline TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  records_read BIGINT NOT NULL DEFAULT 0,
  records_loaded BIGINT NOT NULL DEFAULT 0,
  records_quarantined BIGINT NOT NULL DEFAULT 0,
  error TEXT,
  stats TEXT NOT NULL DEFAULT '{}'
))",
         "CREATE INDEX run_pipeline_idx ON run (pipeline, id)",

         R"(CREATE TABLE source_state (
  pipeline TEXT NOT NULL,
  source TEXT NOT NULL,
  cursor TEXT NOT NULL,
  updated_run BIGINT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (pipeline, source)
))",

         R"(CREATE TABLE customer (
  id {{ID}},
  kind TEXT NOT NULL DEFAULT 'person',
  name TEXT,
  given_name TEXT,
  family_name TEXT,
  company TEXT,
  title TEXT,
  email TEXT,
  phone TEXT,
  mobile TEXT,
  address TEXT,
  city TEXT,
  region TEXT,
  country TEXT,
  postcode TEXT,
  birth_date TEXT,
  lifecycle TEXT,
  intent_level TEXT,
  tags TEXT,
  merged_into BIGINT REFERENCES customer (id),
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
))",
         "CREATE INDEX customer_merged_into_idx ON customer (merged_into) WHERE merged_into IS NOT NULL",

         R"(CREATE TABLE contact_point (
  id {{ID}},
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'handle', 'erp_id')),
  value_norm TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customer (id),
  source TEXT NOT NULL,
  source_key TEXT NOT NULL
))",
         "CREATE INDEX contact_point_value_idx ON contact_point (kind, value_norm)",
         "CREATE INDEX contact_point_customer_idx ON contact_point (customer_id)",

         R"(CREATE TABLE source_record (
  id {{ID}},
  source TEXT NOT NULL,
  entity TEXT NOT NULL,
  source_key TEXT NOT NULL,
  record_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  quality_flags TEXT NOT NULL DEFAULT '[]',
  origin TEXT,
  customer_id BIGINT REFERENCES customer (id),
  first_run BIGINT NOT NULL,
  last_run BIGINT NOT NULL,
  source_updated_at TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (source, entity, source_key)
))",
         "CREATE INDEX source_record_customer_idx ON source_record (customer_id)",

         R"(CREATE TABLE merge_log (
  id {{ID}},
  run_id BIGINT REFERENCES run (id),
  survivor_id BIGINT NOT NULL REFERENCES customer (id),
  merged_id BIGINT NOT NULL REFERENCES customer (id),
  rule TEXT,
  score DOUBLE PRECISION,
  explanation TEXT NOT NULL DEFAULT '{}',
  decided_by TEXT NOT NULL DEFAULT 'auto' CHECK (decided_by IN ('auto', 'manual')),
  created_at TEXT NOT NULL,
  undone_at TEXT,
  undone_run BIGINT REFERENCES run (id)
))",
         "CREATE INDEX merge_log_survivor_idx ON merge_log (survivor_id)",
         "CREATE INDEX merge_log_merged_idx ON merge_log (merged_id)",

         R"(CREATE TABLE lifecycle_event (
  id {{ID}},
  customer_id BIGINT NOT NULL REFERENCES customer (id),
  from_lifecycle TEXT,
  to_lifecycle TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  reason TEXT,
  source TEXT,
  run_id BIGINT REFERENCES run (id),
  created_at TEXT NOT NULL
))",
         "CREATE INDEX lifecycle_event_customer_idx ON lifecycle_event (customer_id, occurred_at)",
         "CREATE INDEX lifecycle_event_to_idx ON lifecycle_event (to_lifecycle, occurred_at)",

         R"(CREATE TABLE interaction (
  id {{ID}},
  source TEXT NOT NULL,
  source_key TEXT NOT NULL,
  customer_id BIGINT REFERENCES customer (id),
  channel TEXT,
  direction TEXT,
  occurred_at TEXT,
  duration_s BIGINT,
  subject TEXT,
  summary TEXT,
  party_email TEXT,
  party_phone TEXT,
  party_handle TEXT,
  thread_key TEXT,
  outcome TEXT,
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, source_key)
))",
         "CREATE INDEX interaction_customer_idx ON interaction (customer_id, occurred_at)",

         R"(CREATE TABLE sales_order (
  id {{ID}},
  source TEXT NOT NULL,
  source_key TEXT NOT NULL,
  customer_id BIGINT REFERENCES customer (id),
  order_no TEXT,
  party_email TEXT,
  party_phone TEXT,
  party_handle TEXT,
  party_erp_id TEXT,
  order_date TEXT,
  status TEXT,
  total NUMERIC,
  currency TEXT,
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, source_key)
))",
         "CREATE INDEX sales_order_customer_idx ON sales_order (customer_id, order_date)",

         R"(CREATE TABLE order_line (
  id {{ID}},
  order_id BIGINT NOT NULL REFERENCES sales_order (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  source_key TEXT NOT NULL,
  line_no BIGINT,
  sku TEXT,
  qty NUMERIC,
  unit_price NUMERIC,
  amount NUMERIC,
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, source_key)
))",
         "CREATE INDEX order_line_order_idx ON order_line (order_id)",

         R"(CREATE TABLE feedback (
  id {{ID}},
  source TEXT NOT NULL,
  source_key TEXT NOT NULL,
  customer_id BIGINT REFERENCES customer (id),
  kind TEXT,
  rating DOUBLE PRECISION,
  nps BIGINT,
  text TEXT,
  status TEXT,
  occurred_at TEXT,
  party_email TEXT,
  party_phone TEXT,
  party_handle TEXT,
  party_erp_id TEXT,
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, source_key)
))",
         "CREATE INDEX feedback_customer_idx ON feedback (customer_id)",

         R"(CREATE TABLE opportunity (
  id {{ID}},
  source TEXT NOT NULL,
  source_key TEXT NOT NULL,
  customer_id BIGINT REFERENCES customer (id),
  name TEXT,
  stage TEXT,
  probability DOUBLE PRECISION,
  amount NUMERIC,
  currency TEXT,
  expected_close TEXT,
  status TEXT,
  party_email TEXT,
  party_phone TEXT,
  party_handle TEXT,
  party_erp_id TEXT,
  created_run BIGINT,
  updated_run BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, source_key)
))",
         "CREATE INDEX opportunity_customer_idx ON opportunity (customer_id)",

         R"(CREATE TABLE quarantine (
  id {{ID}},
  run_id BIGINT NOT NULL REFERENCES run (id),
  source TEXT NOT NULL,
  source_key TEXT,
  origin TEXT NOT NULL DEFAULT '',
  payload TEXT,
  reasons TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'replayed', 'dropped'))
))",
         "CREATE INDEX quarantine_run_idx ON quarantine (run_id)",
         "CREATE INDEX quarantine_key_idx ON quarantine (source, source_key)",

         R"(CREATE TABLE dq_result (
  id {{ID}},
  run_id BIGINT NOT NULL REFERENCES run (id),
  check_name TEXT NOT NULL,
  dataset TEXT,
  level TEXT,
  outcome TEXT NOT NULL,
  observed_value DOUBLE PRECISION,
  threshold TEXT,
  details TEXT,
  created_at TEXT NOT NULL
))",
         "CREATE INDEX dq_result_run_idx ON dq_result (run_id)",
         "CREATE INDEX dq_result_check_idx ON dq_result (check_name, run_id)",

         R"(CREATE TABLE dq_sample (
  id {{ID}},
  dq_result_id BIGINT NOT NULL REFERENCES dq_result (id),
  run_id BIGINT NOT NULL REFERENCES run (id),
  source TEXT,
  source_key TEXT,
  payload TEXT,
  reason TEXT
))",
         "CREATE INDEX dq_sample_result_idx ON dq_sample (dq_result_id)",

         R"(CREATE TABLE metric_snapshot (
  id {{ID}},
  run_id BIGINT REFERENCES run (id),
  metric TEXT NOT NULL,
  dimension TEXT NOT NULL DEFAULT '',
  value DOUBLE PRECISION,
  period_start TEXT,
  period_end TEXT,
  computed_at TEXT NOT NULL
))",
         "CREATE INDEX metric_snapshot_metric_idx ON metric_snapshot (metric, computed_at)",
     }},
    // The point of a contact point is the lookup by value, so its key is (kind, value_norm, customer_id), and
    // SQLite keeps the rows in that key (no rowid table beside it). The source record a point came from is the
    // customer's own (source_record.customer_id), so it is not repeated here. customer_id has no foreign key:
    // points are written in value order, so checking it would look up customers at random, which costs more
    // than writing the points; the engine writes a point only with (or after) its customer row, in one
    // transaction.
    {2,
     "contact_point keyed by (kind, value_norm, customer_id)",
     {
         R"(CREATE TABLE contact_point_v2 (
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'handle', 'erp_id')),
  value_norm TEXT NOT NULL,
  customer_id BIGINT NOT NULL,
  PRIMARY KEY (kind, value_norm, customer_id)
){{WITHOUT_ROWID}})",
         "INSERT INTO contact_point_v2 (kind, value_norm, customer_id) "
         "SELECT DISTINCT kind, value_norm, customer_id FROM contact_point",
         "DROP TABLE contact_point",
         "ALTER TABLE contact_point_v2 RENAME TO contact_point",
     }},
    // Matching state (engine/src/match, docs/matching.md). A match record is a customer source record as the
    // dedupe stage sees it, identified by the customer row the load path made for it (its base customer), with
    // its values read from source_record.payload. match_key is the persisted blocking index (key value ->
    // records), match_decision holds what people decided (cannot-link after an unmerge), match_state the
    // configuration fingerprint and the trained model. Golden records are the customers with
    // merged_into NULL; the two views resolve records and contact points to them.
    {3,
     "matching: persisted blocking index, decisions, model; golden views",
     {
         R"(CREATE TABLE match_key (
  key_name TEXT NOT NULL,
  key_value TEXT NOT NULL,
  customer_id BIGINT NOT NULL,
  PRIMARY KEY (key_name, key_value, customer_id)
){{WITHOUT_ROWID}})",
         R"(CREATE TABLE match_decision (
  id {{ID}},
  first_id BIGINT NOT NULL REFERENCES customer (id),
  second_id BIGINT NOT NULL REFERENCES customer (id),
  decision TEXT NOT NULL CHECK (decision IN ('cannot_link')),
  reason TEXT,
  decided_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (first_id, second_id, decision)
))",
         "CREATE INDEX match_decision_second_idx ON match_decision (second_id)",
         R"(CREATE TABLE match_state (
  id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
  pipeline TEXT NOT NULL,
  stage TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  model TEXT,
  updated_run BIGINT,
  updated_at TEXT NOT NULL
))",
         "CREATE INDEX merge_log_open_idx ON merge_log (merged_id, undone_at)",
         R"(CREATE VIEW golden_customer AS SELECT * FROM customer WHERE merged_into IS NULL)",
         R"(CREATE VIEW golden_contact_point AS
SELECT cp.kind AS kind, cp.value_norm AS value_norm, COALESCE(c.merged_into, c.id) AS customer_id,
       cp.customer_id AS record_customer_id
FROM contact_point cp JOIN customer c ON c.id = cp.customer_id)",
     }},
    // Interactions are linked to the customer row that owns their party's contact point (the record's own
    // customer, which survives an unmerge); this view resolves them to the golden record. Unlinked
    // interactions are looked up by the load path after each run that wrote contact points.
    {4,
     "interactions: golden view, index of unlinked rows",
     {
         R"(CREATE VIEW golden_interaction AS
SELECT i.*, COALESCE(c.merged_into, c.id) AS golden_customer_id
FROM interaction i LEFT JOIN customer c ON c.id = i.customer_id)",
         "CREATE INDEX interaction_unlinked_idx ON interaction (id) WHERE customer_id IS NULL",
     }},
};

const std::vector<std::string_view> kTables = {
    "schema_migrations", "run",         "source_state", "customer",    "contact_point", "source_record",
    "merge_log",         "lifecycle_event", "interaction", "sales_order", "order_line",  "feedback",
    "opportunity",       "quarantine",  "dq_result",    "dq_sample",   "metric_snapshot",
    "match_key",   "match_decision", "match_state",
};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";

// Reading the version without taking a write lock, so opening a database that a run is writing does not wait.
long long currentVersion(soci::session& sql, Backend backend) {
  long long exists = 0;
  if (backend == Backend::kSqlite) {
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", soci::into(exists);
  } else {
    sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
           "AND table_name = 'schema_migrations'",
        soci::into(exists);
  }
  if (exists == 0) return 0;
  long long version = 0;
  sql << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", soci::into(version);
  return version;
}

// Starts a transaction that excludes other migrators: SQLite takes the write lock at once, PostgreSQL a
// transaction-scoped advisory lock (the table may not exist yet, so it cannot be locked itself).
void beginExclusive(soci::session& sql, Backend backend) {
  if (backend == Backend::kSqlite) {
    sql << "BEGIN IMMEDIATE";
  } else {
    sql.begin();
    sql << "SELECT pg_advisory_xact_lock(7270012026)";
  }
}

Status newerVersion(long long found) {
  return storeError("the database has schema version " + std::to_string(found) + " but this crmsync knows only up to " +
                    std::to_string(latestSchemaVersion()) +
                    "; it was written by a newer crmsync: upgrade crmsync, or point the pipeline at another database");
}

}  // namespace

const std::vector<Migration>& migrations() { return kMigrations; }

int latestSchemaVersion() { return kMigrations.back().version; }

const std::vector<std::string_view>& schemaTables() { return kTables; }

std::string expandSql(std::string_view sql, Backend backend) {
  const bool sqlite = backend == Backend::kSqlite;
  const std::pair<std::string_view, std::string_view> tokens[] = {
      {"{{ID}}", sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"{{WITHOUT_ROWID}}", sqlite ? " WITHOUT ROWID" : ""},
  };
  std::string out;
  out.reserve(sql.size() + 64);
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t hit = sql.find("{{", pos);
    if (hit == std::string_view::npos) break;
    out.append(sql.substr(pos, hit - pos));
    pos = hit;
    for (const auto& [token, text] : tokens) {
      if (sql.substr(hit, token.size()) == token) {
        out.append(text);
        pos = hit + token.size();
        break;
      }
    }
    if (pos == hit) {  // not a token of ours: copy the brace and go on
      out.push_back(sql[hit]);
      ++pos;
    }
  }
  out.append(sql.substr(pos));
  return out;
}

Result<int> migrate(soci::session& sql, Backend backend) {
  long long version = 0;
  RETURN_IF_ERROR(guardSql("reading the schema version", [&] { version = currentVersion(sql, backend); }));
  if (version > latestSchemaVersion()) return newerVersion(version);
  while (version < latestSchemaVersion()) {
    bool inTransaction = false;
    const Migration* applied = nullptr;
    Status st = guardSql("migrating the schema", [&] {
      beginExclusive(sql, backend);
      inTransaction = true;
      sql << kCreateMigrationsTable;
      sql << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", soci::into(version);
      if (version >= latestSchemaVersion()) return;  // another process got there first (or is newer)
      const Migration& m = kMigrations[static_cast<size_t>(version)];
      applied = &m;
      for (std::string_view stmt : m.statements) sql << expandSql(stmt, backend);
      std::string description(m.description);
      long long v = m.version;
      std::string now = nowIso8601();
      sql << "INSERT INTO schema_migrations (version, description, applied_at) VALUES (:v, :d, :a)", soci::use(v),
          soci::use(description), soci::use(now);
    });
    if (st.isOk()) {
      st = guardSql("committing the schema migration", [&] { sql.commit(); });
      inTransaction = !st.isOk();
    }
    if (!st.isOk()) {
      if (inTransaction) (void)guardSql("rolling back", [&] { sql.rollback(); });
      if (applied) return st.withContext("schema migration " + std::to_string(applied->version) + " (" +
                                         std::string(applied->description) + ") failed");
      return st;
    }
    if (applied) version = applied->version;
    if (version > latestSchemaVersion()) return newerVersion(version);
  }
  return static_cast<int>(version);
}

}  // namespace crmsync::store
