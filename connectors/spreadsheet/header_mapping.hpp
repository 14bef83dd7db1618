// From a file's header row to field names: the pipeline's `columns` map first, then a built-in table of
// English and Chinese synonyms for the canonical customer fields, else the header text itself.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// Header text reduced for comparison: trimmed (also full-width and no-break spaces), ASCII lower-cased, without
/// spaces, '-', '_', '.', '/' and a trailing ':' or '：'. "E-mail", "email " and "EMAIL" compare equal.
std::string headerKey(std::string_view header);

/// Header text without surrounding ASCII, no-break, full-width spaces or a stray BOM.
std::string trimHeader(std::string_view header);

/// Canonical field name the synonym table gives a header ("手机号" -> "mobile"), or std::nullopt.
std::optional<std::string> synonymFor(std::string_view header);

/// One column of a file and the field it becomes.
struct MappedColumn {
  std::string header;      // trimmed header text
  std::string field;       // the record's field name; empty when `columns` maps the header to "" (dropped)
  bool canonical = false;  // named by `columns` or the synonym table, not just copied from the header
};

/// The columns of one file. Built once per file, so per-row work is only indexing.
class HeaderMapping {
 public:
  /// `columns` is the pipeline's header -> field map. Remarks worth logging (two headers mapping to one field,
  /// `columns` entries that match no header) are appended to *notes when notes is not null.
  HeaderMapping(const std::vector<std::string>& headers, const std::map<std::string, std::string>& columns,
                std::vector<std::string>* notes);

  const std::vector<MappedColumn>& columns() const { return columns_; }
  size_t size() const { return columns_.size(); }

  /// The column a pipeline setting (key, updated_at_column) names: a field name, else a header (compared as
  /// headerKey does). std::nullopt when nothing matches.
  std::optional<size_t> find(std::string_view name) const;

  /// The header texts, quoted and comma-separated, for error messages.
  std::string describeHeaders() const;

 private:
  std::vector<MappedColumn> columns_;
};

}  // namespace crmsync::spreadsheet
