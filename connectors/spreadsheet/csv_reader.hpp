// RFC 4180 CSV tokenizer over an in-memory buffer, tolerant of what Excel and other tools really write.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// One record as the reader found it. The views stay valid until the next call of CsvReader::next().
struct CsvRecord {
  std::vector<std::string_view> fields;
  std::string_view raw;            // the record's text as written, quotes included, without its line ending
  size_t line = 0;                 // physical line (1-based) on which the record starts
  bool unterminatedQuote = false;  // a quoted field ran to the end of the file

  bool isBlank() const {
    for (auto f : fields) {
      if (!f.empty()) return false;
    }
    return true;
  }
};

/// Reads records one by one without allocating per character: unquoted fields and quoted fields without
/// doubled quotes are views into the buffer; only fields with "" are copied (into a per-record scratch).
class CsvReader {
 public:
  /// The delimiters sniffing chooses from, in order of preference on a tie.
  static constexpr std::array<char, 3> kSniffedDelimiters = {',', ';', '\t'};

  /// `text` must outlive the reader. delimiter 0 means: an Excel `sep=X` first line if present, else sniff.
  /// A `sep=` line is skipped in any case so it never becomes the header.
  explicit CsvReader(std::string_view text, char delimiter = 0);

  /// Reads the next record; false at the end of the text. Blank lines come back as one empty field.
  bool next(CsvRecord& record);

  char delimiter() const { return delimiter_; }
  /// Where the next record starts (an offset in the text).
  size_t position() const { return pos_; }
  /// Continues at `offset`, which must be the start of a record at or after position(); line numbers follow.
  void seek(size_t offset) {
    line_ += countLineBreaks(pos_, offset);
    pos_ = offset;
  }
  /// True when the file opened with an Excel `sep=X` line.
  bool hadSepLine() const { return hadSepLine_; }

  /// Guesses the delimiter from the first records of `text`, counting candidates outside quotes only.
  static char sniffDelimiter(std::string_view text);

 private:
  struct Span {
    size_t offset;
    size_t length;
    bool inScratch;
  };

  void skipSepLine(char configured);
  size_t countLineBreaks(size_t from, size_t to) const;
  void readQuotedField();
  void readUnquotedField();

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  char delimiter_ = ',';
  bool hadSepLine_ = false;
  bool unterminated_ = false;
  std::array<bool, 256> stop_{};  // bytes that end an unquoted field
  std::string scratch_;
  std::vector<Span> spans_;
};

}  // namespace crmsync::spreadsheet
