// Canonical records as the engine moves them between sources, stages and the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync {

/// One named field. std::nullopt is a null value, distinct from an empty string. Values are UTF-8.
struct Field {
  std::string name;
  std::optional<std::string> value;
};

/// A canonical record (see docs/canonical-schema.md): entity, the key its source gives it, when it last
/// changed, where it came from ("contacts.csv:12"), its fields, and the quality flags stages attached to it.
struct Record {
  std::string entity;
  std::string sourceKey;
  std::optional<std::string> updatedAt;
  std::string origin;
  std::vector<Field> fields;
  /// Problems found by stages that did not justify rejecting the record, e.g. "phone: not a valid number".
  /// The raw value stays in the field; the audit stage reads these flags.
  std::vector<std::string> qualityFlags;

  /// The field's value; nullptr when the field is absent. A present-but-null field gives a pointer to nullopt.
  const std::optional<std::string>* find(std::string_view name) const {
    for (const auto& f : fields) {
      if (f.name == name) return &f.value;
    }
    return nullptr;
  }
  std::optional<std::string>* find(std::string_view name) {
    for (auto& f : fields) {
      if (f.name == name) return &f.value;
    }
    return nullptr;
  }
  /// The value, or std::nullopt when absent or null.
  std::optional<std::string> get(std::string_view name) const {
    const auto* v = find(name);
    return v ? *v : std::nullopt;
  }
  /// Sets a field, replacing an existing one of the same name.
  void set(std::string_view name, std::optional<std::string> value) {
    if (auto* v = find(name)) {
      *v = std::move(value);
      return;
    }
    fields.push_back({std::string(name), std::move(value)});
  }
  /// Removes a field; returns whether it was there.
  bool erase(std::string_view name) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it->name == name) {
        fields.erase(it);
        return true;
      }
    }
    return false;
  }
};

/// An input item a connector or stage could not turn into a record; it goes to quarantine with its reason.
struct Rejected {
  std::string source;
  std::optional<std::string> sourceKey;
  std::string origin;
  std::string reason;
  std::optional<std::string> raw;
};

}  // namespace crmsync
