#include "source_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crmsync/config/references.hpp"
#include "batch_writer.hpp"
#include "crmsync/store/store.hpp"

namespace crmsync::pipeline {

bool StageSlot::appliesTo(const std::string& source) const {
  return sources.empty() || std::find(sources.begin(), sources.end(), source) != sources.end();
}

SourceHost::SourceHost(std::string source, std::string baseDir, std::optional<std::string> committedCursor,
                       std::vector<StageSlot*> stages, BatchWriter* writer, RunContext& run,
                       const RunOptions& options, std::vector<std::string> secrets)
    : source_(std::move(source)), baseDir_(std::move(baseDir)), committed_(std::move(committedCursor)),
      stages_(std::move(stages)), writer_(writer), run_(run), options_(options), secrets_(std::move(secrets)),
      lastProgress_(std::chrono::steady_clock::now()) {}

http::ClientOptions SourceHost::httpOptions() {
  http::ClientOptions o;
  o.caBundle = http_.caBundle;
  o.insecure = http_.insecure;
  auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)); };
  if (http_.timeoutSeconds) o.totalTimeout = ms(*http_.timeoutSeconds);
  if (http_.connectTimeoutSeconds) o.connectTimeout = ms(*http_.connectTimeoutSeconds);
  if (http_.maxAttempts) o.retry.maxAttempts = *http_.maxAttempts;
  return o;
}

crmsync_status SourceHost::emit(const crmsync_record* records, size_t count) {
  if (!failure_.isOk()) return CRMSYNC_ERR_INTERNAL;
  if (cancelled()) return CRMSYNC_ERR_CANCELLED;
  std::vector<Record> batch;
  batch.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const crmsync_record& in = records[i];
    Record r;
    r.entity = in.entity ? in.entity : "customer";
    r.sourceKey = in.source_key ? in.source_key : "";
    if (in.updated_at) r.updatedAt = in.updated_at;
    if (in.origin) r.origin = in.origin;
    r.fields.reserve(in.field_count);
    for (size_t f = 0; f < in.field_count; ++f) {
      const crmsync_field& field = in.fields[f];
      if (!field.name) continue;
      r.fields.push_back({field.name, field.value ? std::optional<std::string>(field.value) : std::nullopt});
    }
    batch.push_back(std::move(r));
  }
  auto& stats = run_.sources[source_];
  stats.read += static_cast<int64_t>(count);

  // A record without a key cannot be upserted exactly once: quarantine it rather than guess.
  std::vector<Rejected> rejected;
  auto keyless = std::remove_if(batch.begin(), batch.end(), [&](const Record& r) {
    if (!r.sourceKey.empty()) return false;
    rejected.push_back({source_, std::nullopt, r.origin, "record has no source key", std::nullopt});
    return true;
  });
  batch.erase(keyless, batch.end());

  for (auto* slot : stages_) {
    if (!slot->appliesTo(source_)) continue;
    auto t0 = std::chrono::steady_clock::now();
    Status st = slot->stage->process(source_, batch, rejected, run_);
    slot->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.isOk()) {
      failure_ = st.withContext("stage '" + slot->name + "' on source '" + source_ + "'");
      return CRMSYNC_ERR_INTERNAL;
    }
  }
  stats.quarantined += static_cast<int64_t>(rejected.size());
  if (!pendingRejected_.empty()) {
    rejected.insert(rejected.end(), std::make_move_iterator(pendingRejected_.begin()),
                    std::make_move_iterator(pendingRejected_.end()));
    pendingRejected_.clear();
  }
  if (!hand(std::move(batch), std::move(rejected))) return CRMSYNC_ERR_INTERNAL;
  reportProgress(false);
  return CRMSYNC_OK;
}

crmsync_status SourceHost::reject(const crmsync_rejected& in) {
  Rejected r;
  r.source = source_;
  if (in.source_key) r.sourceKey = in.source_key;
  r.origin = in.origin ? in.origin : "";
  r.reason = in.reason ? in.reason : "rejected by the connector";
  if (in.raw) r.raw = in.raw;
  pendingRejected_.push_back(std::move(r));
  auto& stats = run_.sources[source_];
  ++stats.quarantined;
  ++stats.read;  // a rejected row was read all the same
  // Held back to travel with the next batch; a flood of rejects is handed over on its own.
  if (pendingRejected_.size() >= 1000) {
    auto held = std::move(pendingRejected_);
    pendingRejected_.clear();
    if (!hand({}, std::move(held))) return CRMSYNC_ERR_INTERNAL;
  }
  return CRMSYNC_OK;
}

void SourceHost::flush() {
  if (pendingRejected_.empty()) return;
  auto held = std::move(pendingRejected_);
  pendingRejected_.clear();
  hand({}, std::move(held));
}

bool SourceHost::hand(std::vector<Record> records, std::vector<Rejected> rejected) {
  if (writer_) {
    if (writer_->push(source_, std::move(records), std::move(rejected))) return true;
    if (failure_.isOk()) failure_ = internalError("writing to the store failed");  // drain() has the cause
    return false;
  }
  for (const auto& r : rejected) {
    Status st = run_.txn->quarantine(r);
    if (!st.isOk()) {
      failure_ = st.withContext("quarantine of source '" + source_ + "'");
      return false;
    }
  }
  return true;
}

const char* SourceHost::getCursor() {
  const auto& c = staged_ ? staged_ : committed_;
  if (!c) return nullptr;
  cursorBuffer_ = *c;
  return cursorBuffer_.c_str();
}

crmsync_status SourceHost::setCursor(const char* cursor) {
  if (!cursor) return CRMSYNC_ERR_INTERNAL;
  staged_ = cursor;
  return CRMSYNC_OK;
}

std::string SourceHost::redact(std::string message) const {
  for (const auto& s : secrets_) {
    if (s.size() < 4) continue;  // masking very short strings would garble ordinary text
    for (size_t pos = message.find(s); pos != std::string::npos; pos = message.find(s, pos + 3)) {
      message.replace(pos, s.size(), "***");
    }
  }
  return message;
}

void SourceHost::log(crmsync_log_level level, const std::string& message) {
  std::string line = "[" + source_ + "] " + redact(message);
  switch (level) {
    case CRMSYNC_LOG_DEBUG: spdlog::debug("{}", line); break;
    case CRMSYNC_LOG_INFO: spdlog::info("{}", line); break;
    case CRMSYNC_LOG_WARN: spdlog::warn("{}", line); break;
    default: spdlog::error("{}", line); break;
  }
}

std::optional<std::string> SourceHost::secret(const std::string& reference) {
  auto v = config::resolveReferences(reference, baseDir_);
  if (!v) return std::nullopt;
  if (std::find(secrets_.begin(), secrets_.end(), *v) == secrets_.end()) secrets_.push_back(*v);
  return *v;
}

bool SourceHost::cancelled() { return options_.cancel && options_.cancel->load(std::memory_order_relaxed); }

void SourceHost::reportProgress(bool done) {
  if (!options_.progress) return;
  auto now = std::chrono::steady_clock::now();
  if (!done && now - lastProgress_ < std::chrono::milliseconds(100)) return;
  lastProgress_ = now;
  options_.progress(run_.sources[source_], done);
}

}  // namespace crmsync::pipeline
