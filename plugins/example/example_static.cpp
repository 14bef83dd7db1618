// example_static: a complete, minimal crmsync source plugin. It emits the rows written in its own config,
// which makes it useful for trying out a pipeline and as a template for a real connector.
//
//   sources:
//     - name: demo
//       connector: example_static
//       config:
//         entity: customer
//         rows:
//           - "id=c1;name=Ada Lovelace;email=ada@example.com;updated_at=2024-05-01T10:00:00Z"
//           - "id=c2;name=Grace Hopper"
//
// Each row is "field=value" pairs separated by ';'. The key_field (default id) becomes the record's source key
// and updated_at its change time. A row without a key is rejected to quarantine and the run goes on. The cursor
// is the number of rows already delivered, so a second run only emits rows appended to the list since.
#include <crmsync/sdk/plugin.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

class ExampleStatic : public crmsync::sdk::Source {
 public:
  static constexpr const char* kName = "example_static";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription = "Emits the records written in its config (an SDK example)";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"rows", CRMSYNC_CONFIG_STRING_LIST, nullptr, 1, "Records as \"field=value;field=value\" strings"},
      {"entity", CRMSYNC_CONFIG_STRING, "customer", 0, "Entity of every emitted record"},
      {"key_field", CRMSYNC_CONFIG_STRING, "id", 0, "Field whose value is the record's source key"},
      {"batch_size", CRMSYNC_CONFIG_INT, "100", 0, "Records per emit call"},
  };

  void open(const crmsync::sdk::Config& config, crmsync::sdk::Host& host) override {
    (void)host;
    rows_ = config.get<std::vector<std::string>>("rows");
    config.bind("entity", entity_);
    config.bind("key_field", keyField_);
    config.bind("batch_size", batchSize_);
    if (batchSize_ <= 0) {
      throw crmsync::sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'batch_size' must be at least 1, got " +
                                                        std::to_string(batchSize_));
    }
  }

  void read(crmsync::sdk::Host& host) override {
    size_t start = 0;
    if (auto cursor = host.cursor()) start = parseCursor(*cursor);
    if (start > rows_.size()) {
      host.warn("cursor " + std::to_string(start) + " is past the " + std::to_string(rows_.size()) +
                " configured rows; rows were removed from the config, so nothing is emitted");
      return;
    }

    std::vector<crmsync::sdk::Record> batch;
    for (size_t i = start; i < rows_.size(); ++i) {
      const std::string origin = "example_static:rows[" + std::to_string(i) + "]";
      crmsync::sdk::Record record = parseRow(rows_[i]);
      record.entity = entity_;
      record.origin = origin;
      const auto* key = record.find(keyField_);
      if (!key || !*key || (*key)->empty()) {
        host.reject("", origin, "row has no '" + keyField_ + "' field; add " + keyField_ + "=... to it", rows_[i]);
        continue;
      }
      record.sourceKey = **key;
      if (const auto* updated = record.find("updated_at"); updated && *updated) record.updatedAt = **updated;
      batch.push_back(std::move(record));
      if (batch.size() == static_cast<size_t>(batchSize_)) {
        // Cancellation is checked between batches; emit() itself also throws once the host says stop.
        if (host.cancelled()) throw crmsync::sdk::Error(CRMSYNC_ERR_CANCELLED, "cancelled by the host");
        host.emit(batch);
        batch.clear();
      }
    }
    if (!batch.empty()) host.emit(batch);
    // Only staged: the engine persists it if the whole run commits.
    host.setCursor(std::to_string(rows_.size()));
  }

 private:
  static size_t parseCursor(const std::string& cursor) {
    try {
      size_t used = 0;
      unsigned long long v = std::stoull(cursor, &used);
      if (used == cursor.size()) return static_cast<size_t>(v);
    } catch (const std::exception&) {
    }
    throw crmsync::sdk::Error(CRMSYNC_ERR_DATA, "stored cursor '" + cursor +
                                                    "' is not a row count; reset this source's cursor");
  }

  static crmsync::sdk::Record parseRow(std::string_view row) {
    crmsync::sdk::Record record;
    while (!row.empty()) {
      size_t end = row.find(';');
      std::string_view pair = row.substr(0, end);
      row = end == std::string_view::npos ? std::string_view() : row.substr(end + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        record.set(std::string(pair), std::nullopt);  // "field" alone is an explicit null
      } else {
        record.set(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
      }
    }
    return record;
  }

  std::vector<std::string> rows_;
  std::string entity_ = "customer";
  std::string keyField_ = "id";
  int batchSize_ = 100;
};

}  // namespace

CRMSYNC_PLUGIN(ExampleStatic)
