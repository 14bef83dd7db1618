#include "store/interaction_writer.hpp"

#include <algorithm>
#include <charconv>

#include "store/run_statements.hpp"

namespace crmsync::store {
namespace {

// The contact point kinds a party is looked up by, in order of preference.
constexpr std::array<std::pair<const char*, const char*>, 3> kParties = {{
    {"email", "party_email"},
    {"phone", "party_phone"},
    {"handle", "party_handle"},
}};

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

// duration_s is a whole number of seconds; anything else ("12.5", "n/a") leaves the column empty and the
// source's text in the payload.
std::optional<long long> seconds(const std::optional<std::string>* v) {
  if (!v) return std::nullopt;
  const std::string& s = **v;
  long long out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || out < 0) return std::nullopt;
  return out;
}

constexpr const char* kColumns =
    "source, source_key, customer_id, channel, direction, occurred_at, duration_s, subject, summary, party_email, "
    "party_phone, party_handle, thread_key, outcome, created_run, updated_run, created_at, updated_at";

// A changed record rewrites every column it feeds; the row keeps when and in which run it was created.
constexpr const char* kOnConflict =
    " ON CONFLICT (source, source_key) DO UPDATE SET customer_id = excluded.customer_id, "
    "channel = excluded.channel, direction = excluded.direction, occurred_at = excluded.occurred_at, "
    "duration_s = excluded.duration_s, subject = excluded.subject, summary = excluded.summary, "
    "party_email = excluded.party_email, party_phone = excluded.party_phone, party_handle = excluded.party_handle, "
    "thread_key = excluded.thread_key, outcome = excluded.outcome, updated_run = excluded.updated_run, "
    "updated_at = excluded.updated_at";

}  // namespace

InteractionWriter::InteractionWriter(soci::session& sql, Backend backend, long long runId)
    : sql_(sql),
      backend_(backend),
      runId_(runId),
      upsert_(std::string("INSERT INTO interaction (") + kColumns + ") VALUES ",
              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {source_, key_, customer_, channel_, direction_, occurredAt_, duration_, subject_, summary_, partyEmail_,
               partyPhone_, partyHandle_, threadKey_, outcome_, run_, run_, now_, now_},
              true, kOnConflict) {}

InteractionWriter::~InteractionWriter() = default;

void InteractionWriter::add(const std::string& source, const Record& record) { queued_.emplace_back(&source, &record); }

void InteractionWriter::resolve(const char* kind, std::vector<std::string>& values) {
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

void InteractionWriter::write(const std::string& now) {
  if (queued_.empty()) return;
  owner_.clear();
  for (const auto& [kind, name] : kParties) {
    std::vector<std::string> values;
    for (const auto& q : queued_) {
      if (const auto* v = field(*q.second, name)) values.push_back(**v);
    }
    resolve(kind, values);
  }

  for (TextCol* c : {&source_, &key_, &channel_, &direction_, &occurredAt_, &subject_, &summary_, &partyEmail_,
                     &partyPhone_, &partyHandle_, &threadKey_, &outcome_, &now_}) {
    c->reset();
  }
  for (IntCol* c : {&customer_, &duration_, &run_}) c->reset();
  for (const auto& [source, r] : queued_) {
    long long owner = 0;
    for (const auto& [kind, name] : kParties) {
      const auto* v = field(*r, name);
      if (!v) continue;
      auto it = owner_.find(ownerKey(kind, **v));
      if (it != owner_.end()) {
        owner = it->second;
        break;
      }
    }
    source_.push(*source);
    key_.push(r->sourceKey);
    if (owner) {
      customer_.push(owner);
    } else {
      customer_.pushNull();
    }
    channel_.push(r->find("channel"));
    direction_.push(r->find("direction"));
    occurredAt_.push(r->find("occurred_at"));
    if (auto d = seconds(field(*r, "duration_s"))) {
      duration_.push(*d);
    } else {
      duration_.pushNull();
    }
    subject_.push(r->find("subject"));
    summary_.push(r->find("summary"));
    partyEmail_.push(field(*r, "party_email"));
    partyPhone_.push(field(*r, "party_phone"));
    partyHandle_.push(field(*r, "party_handle"));
    threadKey_.push(r->find("thread_key"));
    outcome_.push(r->find("outcome"));
    run_.push(runId_);
    now_.push(now);
  }
  upsert_.execute(sql_, backend_);
  queued_.clear();
}

long long InteractionWriter::linkUnlinked(const std::string& now) {
  long long unlinked = 0;
  sql_ << "SELECT COUNT(*) FROM interaction WHERE customer_id IS NULL", soci::into(unlinked);
  if (unlinked == 0) return 0;
  long long run = runId_;
  soci::statement st = (sql_.prepare << "UPDATE interaction SET customer_id = COALESCE("
                                        "(SELECT MIN(cp.customer_id) FROM contact_point cp WHERE cp.kind = 'email' AND "
                                        "cp.value_norm = interaction.party_email), "
                                        "(SELECT MIN(cp.customer_id) FROM contact_point cp WHERE cp.kind = 'phone' AND "
                                        "cp.value_norm = interaction.party_phone), "
                                        "(SELECT MIN(cp.customer_id) FROM contact_point cp WHERE cp.kind = 'handle' AND "
                                        "cp.value_norm = interaction.party_handle)), "
                                        "updated_run = :r, updated_at = :t "
                                        "WHERE customer_id IS NULL AND ("
                                        "EXISTS (SELECT 1 FROM contact_point cp WHERE cp.kind = 'email' AND "
                                        "cp.value_norm = interaction.party_email) OR "
                                        "EXISTS (SELECT 1 FROM contact_point cp WHERE cp.kind = 'phone' AND "
                                        "cp.value_norm = interaction.party_phone) OR "
                                        "EXISTS (SELECT 1 FROM contact_point cp WHERE cp.kind = 'handle' AND "
                                        "cp.value_norm = interaction.party_handle))",
                        soci::use(run), soci::use(now));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace crmsync::store
