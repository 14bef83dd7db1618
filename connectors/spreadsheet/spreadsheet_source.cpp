#include "spreadsheet_source.hpp"

#include "csv_reader.hpp"
#include "encoding.hpp"
#include "file_cursor.hpp"
#include "header_mapping.hpp"
#include "input_files.hpp"
#include "mapped_file.hpp"
#include "record_sink.hpp"
#include "xlsx_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace crmsync::spreadsheet {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
constexpr size_t kNone = static_cast<size_t>(-1);

// The first field a decoder could not read: invalid UTF-8 when the text is declared UTF-8, else a U+FFFD the
// GB18030 converter put in place of bytes it could not map.
size_t firstUndecodedField(const std::vector<std::string_view>& fields, bool utf8) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (utf8 ? !isValidUtf8(fields[i]) : fields[i].find(kReplacementCharacter) != std::string_view::npos) return i;
  }
  return kNone;
}

std::string delimiterName(char d) {
  switch (d) {
    case ',': return "comma";
    case ';': return "semicolon";
    case '\t': return "tab";
    default: return std::string("'") + d + "'";
  }
}

// Header cells past the last named one are padding (a trailing delimiter, formatted empty cells).
template <typename Cells>
std::vector<std::string> headerTexts(const Cells& cells) {
  std::vector<std::string> headers(cells.begin(), cells.end());
  while (!headers.empty() && trimHeader(headers.back()).empty()) headers.pop_back();
  return headers;
}

// A row of cells as one CSV line, for quarantine: the reader can see exactly what the row held.
std::string cellsAsCsv(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\r\n") == std::string::npos) {
      out += c;
      continue;
    }
    out += '"';
    for (char ch : c) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  return out;
}

void logNotes(sdk::Host& host, const std::string& label, const std::vector<std::string>& notes) {
  for (const auto& n : notes) host.warn(label + ": " + n);
}

// The name a file has in the cursor: absolute, so a run from another working folder still recognises it.
std::string cursorName(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

void SpreadsheetSource::open(const sdk::Config& config, sdk::Host& host) {
  options_ = SourceOptions::fromConfig(config);
  if (options_.key.empty()) {
    host.warn(
        "spreadsheet: no `key` set, so each record's source_key is its file name and line (\"contacts.csv:12\"), "
        "which changes when rows are inserted or sorted; set `key` to the column(s) that identify a row, "
        "e.g. key: [客户编号]");
  }
}

void SpreadsheetSource::read(sdk::Host& host) {
  std::vector<std::string> files = listInputFiles(options_.path, options_.format);
  if (files.empty()) host.warn(options_.path + ": no .csv, .tsv, .xlsx or .xlsm files found; nothing to read");

  std::string problem;
  FileCursor previous = FileCursor::parse(host.cursor(), &problem);
  if (!problem.empty()) host.warn("spreadsheet: " + problem);
  const uint64_t settings = options_.settingsHash();
  if (previous.size() > 0 && previous.settings() != settings) {
    host.info("spreadsheet: settings changed since the last run; reading every file again");
    previous = FileCursor();
  }
  FileCursor next;
  next.setSettings(settings);

  for (const auto& path : files) {
    MappedFile file(path);
    const FileFingerprint fp = fingerprint(file.bytes());
    const std::string name = cursorName(path);
    if (options_.skipUnchanged && previous.find(name) == fp) {
      host.info(path + ": unchanged, skipped");
      next.set(name, fp);
      continue;
    }
    const FileFormat format = detectFormat(path, file.bytes().substr(0, 8), options_.format);
    if (format == FileFormat::Xlsx) {
      readXlsx(host, path);
    } else {
      // A file that only grew (an export or a log that is appended to): its old bytes are unchanged, so only
      // the rows after them are read. The old content must have ended with a line break, so the appended bytes
      // start a new row.
      size_t resumeAt = 0;
      const auto before = previous.find(name);
      const std::string_view bytes = file.bytes();
      if (options_.skipUnchanged && before && before->size > 0 && before->size < bytes.size() &&
          bytes[before->size - 1] == '\n' && fingerprint(bytes.substr(0, before->size)) == *before) {
        resumeAt = before->size;
      }
      readCsv(host, path, bytes, resumeAt);
    }
    next.set(name, fp);
  }
  host.setCursor(next.toJson());
}

void SpreadsheetSource::readCsv(sdk::Host& host, const std::string& path, std::string_view bytes, size_t resumeAt) {
  if (bytes.empty()) {
    host.warn(path + ": empty file, nothing to read");
    return;
  }
  const std::string name = fileName(path);
  DecodedText decoded = DecodedText::decode(bytes, options_.encoding);
  CsvReader reader(decoded.text(), options_.delimiter);
  CsvRecord record;

  // Records above the header (titles, notes) are skipped; a sep= line is not a record.
  size_t recordNumber = 0;
  bool haveHeader = false;
  while (reader.next(record)) {
    if (++recordNumber == options_.headerRow) {
      haveHeader = true;
      break;
    }
  }
  if (!haveHeader || record.isBlank()) {
    throw sdk::Error(CRMSYNC_ERR_DATA, path + ": no header in row " + std::to_string(options_.headerRow) +
                                           " (the file has " + std::to_string(recordNumber) +
                                           " rows); set header_row to the row holding the column names");
  }
  if (record.unterminatedQuote || (decoded.rowsNeedUtf8Check() && !isValidUtf8(record.raw))) {
    throw sdk::Error(CRMSYNC_ERR_DATA,
                     path + ":" + std::to_string(record.line) +
                         ": the header row cannot be read (an unclosed quote, or bytes that are not " +
                         decoded.encodingName() + "); fix the header or set `encoding`");
  }
  if (resumeAt > 0 && decoded.borrowsInput()) {
    const size_t offset = resumeAt - (bytes.size() - decoded.text().size());
    if (offset > reader.position()) {
      reader.seek(offset);
      host.info(path + ": appended to since the last run; reading the rows after byte " + std::to_string(resumeAt));
    }
  }
  std::vector<std::string> notes;
  HeaderMapping mapping(headerTexts(record.fields), options_.columns, &notes);
  logNotes(host, path, notes);
  RecordSink sink(host, options_, mapping, path, name + ":");

  const size_t width = mapping.size();
  const bool checkUtf8 = decoded.rowsNeedUtf8Check();
  const bool checkSubstitutions = decoded.substitutions() > 0;
  size_t blank = 0;
  while (reader.next(record)) {
    if (record.unterminatedQuote) {
      sink.reject(record.line,
                  "a quoted field opened on line " + std::to_string(record.line) +
                      " is never closed, so the rest of the file became one field; double any quote "
                      "inside a quoted field (\"\") and close the field",
                  record.raw);
      continue;
    }
    if (record.isBlank()) {
      ++blank;
      continue;
    }
    if (checkUtf8 || checkSubstitutions) {
      size_t bad = firstUndecodedField(record.fields, checkUtf8);
      if (bad != kNone) {
        std::string column = "column " + std::to_string(bad + 1);
        if (bad < width) column += " ('" + mapping.columns()[bad].header + "')";
        sink.reject(record.line,
                    checkUtf8 ? column + " holds bytes that are not valid UTF-8 though the file is read as " +
                                    decoded.encodingName() +
                                    "; fix the row, or set encoding: gb18030 if the file "
                                    "came from Chinese Excel"
                              : column + " holds bytes that are not valid GB18030; fix the row or set `encoding`",
                    record.raw);
        continue;
      }
    }
    size_t count = record.fields.size();
    if (count > width && std::all_of(record.fields.begin() + static_cast<std::ptrdiff_t>(width), record.fields.end(),
                                     [](std::string_view f) { return f.empty(); })) {
      count = width;  // trailing empty fields ("a,b,c,,") change nothing
    }
    if (count != width) {
      sink.reject(record.line,
                  "row has " + std::to_string(count) + " columns, header has " + std::to_string(width) +
                      (count > width ? "; a delimiter inside a value needs the value in quotes" : ""),
                  record.raw);
      continue;
    }
    if (auto problem = sink.addRow(std::span<const std::string_view>(record.fields.data(), count), record.line)) {
      sink.reject(record.line, problem->reason, record.raw, problem->sourceKey);
    }
  }
  sink.flush();
  host.info(path + ": " + std::to_string(sink.emittedCount()) + " records, " + std::to_string(sink.rejectedCount()) +
            " rejected, " + std::to_string(blank) + " blank rows skipped (encoding " + decoded.encodingName() +
            ", delimiter " + delimiterName(reader.delimiter()) + ")");
}

void SpreadsheetSource::readXlsx(sdk::Host& host, const std::string& path) {
  XlsxWorkbook workbook(path);
  const XlsxSheetInfo& sheet = options_.sheet ? workbook.sheet(*options_.sheet) : workbook.sheets().front();
  const std::string label = fileName(path) + "!" + sheet.name;
  const std::string where = path + "!" + sheet.name;

  std::optional<HeaderMapping> mapping;
  std::optional<RecordSink> sink;
  std::vector<std::string_view> values;
  size_t rowsSeen = 0;
  size_t blank = 0;
  workbook.readRows(sheet, [&](const XlsxRow& row) {
    ++rowsSeen;
    if (row.number < options_.headerRow) return;
    values.assign(row.cells.begin(), row.cells.end());
    const bool isBlank = std::all_of(values.begin(), values.end(), [](std::string_view v) { return v.empty(); });
    if (!mapping) {
      if (row.number != options_.headerRow || isBlank) {
        throw sdk::Error(CRMSYNC_ERR_DATA, where + ": row " + std::to_string(options_.headerRow) +
                                               " is empty, so there is no header; set header_row to the row "
                                               "holding the column names");
      }
      std::vector<std::string> notes;
      mapping.emplace(headerTexts(row.cells), options_.columns, &notes);
      logNotes(host, where, notes);
      sink.emplace(host, options_, *mapping, where, label + ":");
      return;
    }
    if (isBlank) {
      ++blank;
      return;
    }
    const size_t width = mapping->size();
    for (size_t i = width; i < values.size(); ++i) {
      if (values[i].empty()) continue;
      sink->reject(row.number,
                   "row has a value in column " + columnName(i) + " but the header (row " +
                       std::to_string(options_.headerRow) + ") ends at column " +
                       (width ? columnName(width - 1) : std::string("-")) +
                       "; give the column a header or clear the cell",
                   cellsAsCsv(row.cells));
      return;
    }
    auto count = std::min(width, values.size());
    if (auto problem = sink->addRow(std::span<const std::string_view>(values.data(), count), row.number)) {
      sink->reject(row.number, problem->reason, cellsAsCsv(row.cells), problem->sourceKey);
    }
  });
  if (!sink) {
    if (rowsSeen == 0) {
      host.warn(where + ": the sheet is empty, nothing to read");
      return;
    }
    throw sdk::Error(CRMSYNC_ERR_DATA, where + ": no header in row " + std::to_string(options_.headerRow) +
                                           "; set header_row to the row holding the column names");
  }
  sink->flush();
  host.info(where + ": " + std::to_string(sink->emittedCount()) + " records, " + std::to_string(sink->rejectedCount()) +
            " rejected, " + std::to_string(blank) + " blank rows skipped");
}

}  // namespace crmsync::spreadsheet
