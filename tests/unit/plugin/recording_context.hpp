// A HostContext for tests: keeps everything a plugin sends through hostApi(), and can be told to refuse,
// cancel or throw.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "crmsync/plugin/host_context.hpp"

namespace crmsync::plugin::testing {

struct SeenRecord {
  std::string entity;
  std::string sourceKey;
  std::optional<std::string> updatedAt;
  std::string origin;
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;

  std::optional<std::string> get(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.first == name) return f.second;
    }
    return std::nullopt;
  }
};

class RecordingContext : public HostContext {
 public:
  crmsync_status emit(const crmsync_record* batch, size_t count) override {
    maybeThrow();
    ++emitCalls;
    if (cancel) return CRMSYNC_ERR_CANCELLED;
    for (size_t i = 0; i < count; ++i) {
      const crmsync_record& r = batch[i];
      SeenRecord s;
      s.entity = r.entity ? r.entity : "";
      s.sourceKey = r.source_key ? r.source_key : "";
      if (r.updated_at) s.updatedAt = r.updated_at;
      s.origin = r.origin ? r.origin : "";
      for (size_t f = 0; f < r.field_count; ++f) {
        std::optional<std::string> v;
        if (r.fields[f].value) v = r.fields[f].value;
        s.fields.emplace_back(r.fields[f].name, v);
      }
      records.push_back(std::move(s));
    }
    return CRMSYNC_OK;
  }
  crmsync_status reject(const crmsync_rejected& r) override {
    maybeThrow();
    rejected.emplace_back(r.source_key ? r.source_key : "", r.reason ? r.reason : "");
    return CRMSYNC_OK;
  }
  const char* getCursor() override {
    maybeThrow();
    const auto& c = staged ? staged : committed;
    return c ? c->c_str() : nullptr;
  }
  crmsync_status setCursor(const char* cursor) override {
    maybeThrow();
    if (!cursor) return CRMSYNC_ERR_DATA;
    staged = cursor;
    return CRMSYNC_OK;
  }
  void log(crmsync_log_level level, const std::string& message) override {
    maybeThrow();
    logs.emplace_back(level, message);
  }
  std::optional<std::string> secret(const std::string& reference) override {
    maybeThrow();
    auto it = secrets.find(reference);
    if (it == secrets.end()) return std::nullopt;
    return it->second;
  }
  bool cancelled() override {
    maybeThrow();
    return cancel;
  }

  std::vector<SeenRecord> records;
  std::vector<std::pair<std::string, std::string>> rejected;
  std::vector<std::pair<crmsync_log_level, std::string>> logs;
  std::optional<std::string> committed;
  std::optional<std::string> staged;
  std::map<std::string, std::string> secrets;
  bool cancel = false;
  bool throwEverywhere = false;
  int emitCalls = 0;

 private:
  void maybeThrow() const {
    if (throwEverywhere) throw std::runtime_error("context failure");
  }
};

}  // namespace crmsync::plugin::testing
