#include "source_options.hpp"

#include <xxhash.h>

namespace crmsync::spreadsheet {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw sdk::Error(CRMSYNC_ERR_CONFIG, "spreadsheet: config key '" + key + "': " + what);
}

std::string lowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

char parseDelimiter(const std::string& text) {
  std::string t = lowerAscii(text);
  if (t.empty() || t == "auto") return 0;
  if (t == "tab" || t == "\\t") return '\t';
  if (t == "comma") return ',';
  if (t == "semicolon") return ';';
  if (t == "pipe") return '|';
  if (text.size() != 1) bad("delimiter", "expected auto, one character, or tab; got '" + text + "'");
  char c = text[0];
  if (c == '"' || c == '\r' || c == '\n') bad("delimiter", "a quote or line break cannot be the delimiter");
  return c;
}

std::optional<std::string> optionalString(const sdk::Config& config, const std::string& key) {
  std::string v = config.get<std::string>(key, "");
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace

SourceOptions SourceOptions::fromConfig(const sdk::Config& config) {
  SourceOptions o;
  o.path = config.get<std::string>("path", "");
  if (o.path.empty()) bad("path", "is required: a CSV or XLSX file, a folder of them, or a glob like 'in/*.csv'");

  std::string format = lowerAscii(config.get<std::string>("format", "auto"));
  if (format == "auto" || format.empty()) {
    o.format = FileFormat::Auto;
  } else if (format == "csv") {
    o.format = FileFormat::Csv;
  } else if (format == "xlsx") {
    o.format = FileFormat::Xlsx;
  } else {
    bad("format", "expected auto, csv or xlsx; got '" + format + "'");
  }

  std::string encoding = config.get<std::string>("encoding", "auto");
  auto parsed = parseTextEncoding(encoding);
  if (!parsed) bad("encoding", "expected auto, utf-8 or gb18030 (gbk); got '" + encoding + "'");
  o.encoding = *parsed;

  o.delimiter = parseDelimiter(config.get<std::string>("delimiter", "auto"));
  o.sheet = optionalString(config, "sheet");

  auto headerRow = config.get<long long>("header_row", 1);
  if (headerRow < 1) bad("header_row", "must be 1 or more (the row number as the spreadsheet shows it)");
  o.headerRow = static_cast<size_t>(headerRow);

  if (config.has("columns") && !config.get<std::string>("columns").empty()) {
    o.columns = config.get<std::map<std::string, std::string>>("columns");
  }
  if (config.has("key") && !config.get<std::string>("key").empty()) {
    o.key = config.get<std::vector<std::string>>("key");
    for (const auto& k : o.key) {
      if (k.empty()) bad("key", "contains an empty column name");
    }
  }

  o.entity = config.get<std::string>("entity", "customer");
  if (o.entity.empty()) bad("entity", "must not be empty (customer, interaction, order, ...)");

  auto batch = config.get<long long>("batch_size", static_cast<long long>(o.batchSize));
  if (batch < 1 || batch > 1000000) bad("batch_size", "must be between 1 and 1000000");
  o.batchSize = static_cast<size_t>(batch);

  o.updatedAtColumn = optionalString(config, "updated_at_column");
  o.skipUnchanged = config.get<bool>("skip_unchanged", true);
  return o;
}

uint64_t SourceOptions::settingsHash() const {
  // Length-prefixed fields: no two different settings can produce the same text.
  std::string text;
  auto add = [&](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add(std::to_string(static_cast<int>(format)));
  add(std::to_string(static_cast<int>(encoding)));
  add(std::string(1, delimiter));
  add(sheet.value_or(""));
  add(std::to_string(headerRow));
  for (const auto& [header, field] : columns) {
    add(header);
    add(field);
  }
  add("|");
  for (const auto& k : key) add(k);
  add("|");
  add(entity);
  add(updatedAtColumn.value_or(""));
  return XXH3_64bits(text.data(), text.size());
}

}  // namespace crmsync::spreadsheet
