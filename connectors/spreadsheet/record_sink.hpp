// Where the data rows of one file go: fields by the header mapping, the source key, updated_at, checks for
// missing and repeated keys, and batched emission through the host.
#pragma once

#include "header_mapping.hpp"
#include "key_index.hpp"
#include "source_options.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// Turns the rows of one file into records and rejects. Rows are identified by their position (CSV: the line
/// a record starts on; XLSX: the row number), which the sink turns into origins such as "contacts.csv:12".
/// Records are reused between batches, so a large file costs no allocation per row after the first batch.
class RecordSink {
 public:
  /// Why a row cannot become a record.
  struct RowProblem {
    std::string reason;
    std::string sourceKey;  // the key when one was read (a duplicate), else empty
  };

  /// originPrefix is what precedes the position in an origin: "contacts.csv:" or "customers.xlsx!Sheet1:".
  /// Resolves `key` and `updated_at_column` against this file's header; throws sdk::Error(CRMSYNC_ERR_CONFIG)
  /// naming `fileLabel` and its headers when one of them names no column.
  RecordSink(sdk::Host& host, const SourceOptions& options, const HeaderMapping& mapping, std::string fileLabel,
             std::string originPrefix);

  /// One data row; values[i] belongs to header column i (values past the end count as empty). Empty values
  /// become null fields. A row without its key, or with a key seen before in this file, is not added: the
  /// problem comes back and the caller rejects the row with its raw text (built only then).
  std::optional<RowProblem> addRow(std::span<const std::string_view> values, uint64_t position);

  /// Sends a row to quarantine; raw is shown as text even if it holds bytes that are not UTF-8.
  void reject(uint64_t position, const std::string& reason, std::string_view raw, const std::string& sourceKey = "");

  /// Emits what is buffered. Throws sdk::Error(CRMSYNC_ERR_CANCELLED) when the host is stopping.
  void flush();

  /// The origin of the row at `position`, e.g. "contacts.csv:12".
  std::string origin(uint64_t position) const;

  /// True when no `key` is set and rows are keyed by their origin.
  bool keyedByPosition() const { return keyColumns_.empty(); }
  size_t emittedCount() const { return emitted_; }
  size_t rejectedCount() const { return rejected_; }

 private:
  size_t resolve(const std::string& setting, const std::string& name) const;

  sdk::Host& host_;
  const SourceOptions& options_;
  const HeaderMapping& mapping_;
  std::string fileLabel_;
  std::string originPrefix_;
  std::vector<size_t> keyColumns_;
  std::optional<size_t> updatedAtColumn_;
  size_t outputFields_ = 0;
  std::vector<sdk::Record> batch_;
  size_t used_ = 0;
  std::string key_;
  KeyIndex seenKeys_;
  size_t emitted_ = 0;
  size_t rejected_ = 0;
};

}  // namespace crmsync::spreadsheet
