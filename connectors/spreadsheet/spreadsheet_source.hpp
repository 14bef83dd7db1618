// The spreadsheet source plugin: reads CSV and XLSX files (one file, a folder, or a glob) into customer
// records, skipping files whose content has not changed since the last committed run.
#pragma once

#include "source_options.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <string>
#include <string_view>

namespace crmsync::spreadsheet {

class SpreadsheetSource : public sdk::Source {
 public:
  static constexpr const char* kName = "spreadsheet";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription =
      "Reads CSV (any delimiter, UTF-8 or GBK/GB18030) and XLSX files into records; unchanged files are skipped";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"path", CRMSYNC_CONFIG_PATH, nullptr, 1,
       "A .csv or .xlsx file, a folder (every .csv/.tsv/.xlsx/.xlsm in it, by name), or a glob such as in/*.csv"},
      {"format", CRMSYNC_CONFIG_STRING, "auto", 0, "auto (by extension and content), csv or xlsx"},
      {"encoding", CRMSYNC_CONFIG_STRING, "auto", 0,
       "CSV text encoding: auto (BOM, then strict UTF-8, then GB18030), utf-8 or gb18030 (covers GBK and GB2312)"},
      {"delimiter", CRMSYNC_CONFIG_STRING, "auto", 0,
       "CSV delimiter: auto (a sep= first line, else sniffed among comma, semicolon and tab) or the character; "
       "'tab' for a tab"},
      {"sheet", CRMSYNC_CONFIG_STRING, nullptr, 0, "XLSX sheet (tab) name to read; default: the first sheet"},
      {"header_row", CRMSYNC_CONFIG_INT, "1", 0,
       "Row holding the column names, as the spreadsheet numbers it; rows above it are ignored"},
      {"columns", CRMSYNC_CONFIG_MAP, nullptr, 0,
       "Header text -> field name; overrides the built-in English/Chinese synonyms (an empty name drops the column)"},
      {"key", CRMSYNC_CONFIG_STRING_LIST, nullptr, 0,
       "Column(s), by header or field name, whose values form the record key (joined with '|'); default: file "
       "name and line"},
      {"entity", CRMSYNC_CONFIG_STRING, "customer", 0, "Entity of the records (customer, interaction, order, ...)"},
      {"batch_size", CRMSYNC_CONFIG_INT, "1024", 0, "Records per emitted batch"},
      {"updated_at_column", CRMSYNC_CONFIG_STRING, nullptr, 0,
       "Column holding each row's last change time; default: none (updated_at is null)"},
      {"skip_unchanged", CRMSYNC_CONFIG_BOOL, "true", 0,
       "Skip files whose size and content hash match the last committed run, and read only the rows appended to a CSV file whose earlier bytes are unchanged"},
  };

  void open(const sdk::Config& config, sdk::Host& host) override;
  void read(sdk::Host& host) override;

 private:
  /// resumeAt: a byte offset where a row starts; rows before it (but the header) were read by an earlier run.
  void readCsv(sdk::Host& host, const std::string& path, std::string_view bytes, size_t resumeAt = 0);
  void readXlsx(sdk::Host& host, const std::string& path);

  SourceOptions options_;
};

}  // namespace crmsync::spreadsheet
