// Reading chosen fields back from source_record.payload without building a JSON tree. Survivorship reads the
// payload of every record of every golden record it writes (600,000 payloads on a first run of a million
// records), and a nlohmann::json tree per payload (a map node and two strings per field) cost more than all of
// its database work.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::store {

/// Reads the top-level string fields `names` of payloads. The values are what nlohmann::json::parse gives: a
/// field that is a string (also an empty one) has its value; null, a number, a nested value or an absent field
/// has none; a payload that is not a JSON object has no values at all; of repeated names the last counts.
/// Payloads as payloadJson writes them (strings that need no unescaping) are read in one pass, as views into the
/// payload; anything else goes through nlohmann::json.
class PayloadReader {
 public:
  explicit PayloadReader(std::vector<std::string> names);

  /// Reads one payload. Values stay valid until the next read, and only while `payload` lives.
  void read(std::string_view payload);
  /// The value of names[i] in the payload last read.
  const std::optional<std::string_view>& value(size_t i) const { return values_[i]; }
  size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool readPlain(std::string_view payload);
  void readJson(std::string_view payload);
  size_t slotOf(std::string_view name) const;

  std::vector<std::string> names_;
  std::vector<std::optional<std::string_view>> values_;
  std::vector<std::string> decoded_;  // values of a payload read through nlohmann::json
};

}  // namespace crmsync::store
