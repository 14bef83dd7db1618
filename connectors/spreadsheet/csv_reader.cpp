#include "csv_reader.hpp"

#include <algorithm>
#include <cstring>

namespace crmsync::spreadsheet {
namespace {

// Sniffing looks at this much of the file, and at most this many records: enough for a stable count.
constexpr size_t kSniffBytes = 64 * 1024;
constexpr size_t kSniffRecords = 20;

unsigned char byteAt(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

bool startsWithSep(std::string_view s) {
  if (s.size() < 5) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return lower(s[0]) == 's' && lower(s[1]) == 'e' && lower(s[2]) == 'p' && s[3] == '=' && s[4] != '\r' &&
         s[4] != '\n' && (s.size() == 5 || s[5] == '\r' || s[5] == '\n');
}

}  // namespace

CsvReader::CsvReader(std::string_view text, char delimiter) : text_(text) {
  skipSepLine(delimiter);
  if (delimiter != 0) {
    delimiter_ = delimiter;
  } else if (!hadSepLine_) {
    delimiter_ = sniffDelimiter(text_.substr(pos_));
  }
  stop_[static_cast<unsigned char>(delimiter_)] = true;
  stop_['\r'] = true;
  stop_['\n'] = true;
}

void CsvReader::skipSepLine(char configured) {
  if (!startsWithSep(text_)) return;
  hadSepLine_ = true;
  if (configured == 0) delimiter_ = text_[4];
  pos_ = 5;
  if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  line_ = 2;
}

char CsvReader::sniffDelimiter(std::string_view text) {
  const bool truncated = text.size() > kSniffBytes;
  std::string_view sample = text.substr(0, kSniffBytes);
  std::vector<std::array<size_t, 3>> lines;
  std::array<size_t, 3> current{};
  bool inQuotes = false;
  bool lineHasContent = false;
  for (size_t i = 0; i < sample.size() && lines.size() < kSniffRecords; ++i) {
    char c = sample[i];
    if (c == '"') {
      inQuotes = !inQuotes;
      lineHasContent = true;
    } else if (!inQuotes && (c == '\n' || c == '\r')) {
      if (lineHasContent) lines.push_back(current);
      current = {};
      lineHasContent = false;
    } else {
      lineHasContent = true;
      if (!inQuotes) {
        for (size_t k = 0; k < kSniffedDelimiters.size(); ++k) {
          if (c == kSniffedDelimiters[k]) ++current[k];
        }
      }
    }
  }
  // A line cut off by the sample size would undercount; a last line without newline is complete.
  if (lineHasContent && !truncated && lines.size() < kSniffRecords) lines.push_back(current);
  if (lines.empty()) return ',';

  // The delimiter is the candidate that appears in the header and the same number of times on most lines.
  size_t best = kSniffedDelimiters.size();
  size_t bestConsistent = 0;
  size_t bestCount = 0;
  for (size_t k = 0; k < kSniffedDelimiters.size(); ++k) {
    size_t headerCount = lines[0][k];
    if (headerCount == 0) continue;
    size_t consistent = static_cast<size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const auto& l) { return l[k] == headerCount; }));
    if (consistent > bestConsistent || (consistent == bestConsistent && headerCount > bestCount)) {
      best = k;
      bestConsistent = consistent;
      bestCount = headerCount;
    }
  }
  return best < kSniffedDelimiters.size() ? kSniffedDelimiters[best] : ',';
}

size_t CsvReader::countLineBreaks(size_t from, size_t to) const {
  size_t breaks = 0;
  // Resuming an appended file counts the lines of everything read before: without a CR in the range (old Mac
  // line ends) each break is an LF, and memchr finds those many bytes at a time.
  const char* p = text_.data() + from;
  const char* end = text_.data() + to;
  if (from < to && !std::memchr(p, '\r', to - from)) {
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr) {
      ++breaks;
      if (++p >= end) break;
    }
    return breaks;
  }
  for (size_t i = from; i < to; ++i) {
    char c = text_[i];
    if (c == '\n') {
      ++breaks;
    } else if (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n')) {
      ++breaks;
    }
  }
  return breaks;
}

void CsvReader::readQuotedField() {
  const size_t n = text_.size();
  const size_t scratchStart = scratch_.size();
  bool usesScratch = false;
  size_t segment = pos_ + 1;
  for (;;) {
    const char* hit = std::char_traits<char>::find(text_.data() + segment, n - segment, '"');
    size_t quote = hit ? static_cast<size_t>(hit - text_.data()) : n;
    line_ += countLineBreaks(segment, quote);
    if (quote == n) {
      // Never closed: keep what there is and let the caller reject the record.
      unterminated_ = true;
      if (usesScratch) {
        scratch_.append(text_.data() + segment, n - segment);
        spans_.push_back({scratchStart, scratch_.size() - scratchStart, true});
      } else {
        spans_.push_back({segment, n - segment, false});
      }
      pos_ = n;
      return;
    }
    if (quote + 1 < n && text_[quote + 1] == '"') {
      scratch_.append(text_.data() + segment, quote + 1 - segment);
      usesScratch = true;
      segment = quote + 2;
      continue;
    }
    pos_ = quote + 1;
    size_t tail = pos_;
    while (tail < n && !stop_[byteAt(text_, tail)]) ++tail;
    if (tail != pos_) {
      // Text after the closing quote ("ab"cd): Excel keeps it, and so do we rather than losing data.
      scratch_.append(text_.data() + segment, quote - segment);
      scratch_.append(text_.data() + pos_, tail - pos_);
      spans_.push_back({scratchStart, scratch_.size() - scratchStart, true});
      pos_ = tail;
    } else if (usesScratch) {
      scratch_.append(text_.data() + segment, quote - segment);
      spans_.push_back({scratchStart, scratch_.size() - scratchStart, true});
    } else {
      spans_.push_back({segment, quote - segment, false});
    }
    return;
  }
}

void CsvReader::readUnquotedField() {
  const size_t n = text_.size();
  size_t end = pos_;
  while (end < n && !stop_[byteAt(text_, end)]) ++end;
  spans_.push_back({pos_, end - pos_, false});
  pos_ = end;
}

bool CsvReader::next(CsvRecord& record) {
  const size_t n = text_.size();
  if (pos_ >= n) return false;
  spans_.clear();
  scratch_.clear();
  unterminated_ = false;
  const size_t start = pos_;
  record.line = line_;
  for (;;) {
    if (text_[pos_] == '"') {
      readQuotedField();
    } else {
      readUnquotedField();
    }
    if (pos_ < n && text_[pos_] == delimiter_) {
      ++pos_;
      if (pos_ < n) continue;
      spans_.push_back({pos_, 0, false});  // "a,b," at the very end of the text: a last, empty field
    }
    break;
  }
  const size_t end = pos_;
  if (pos_ < n) {
    // The record stopped at a line ending: CRLF, LF, or a lone CR (old Mac exports).
    if (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  record.raw = text_.substr(start, end - start);
  record.unterminatedQuote = unterminated_;
  record.fields.resize(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    record.fields[i] =
        s.inScratch ? std::string_view(scratch_).substr(s.offset, s.length) : text_.substr(s.offset, s.length);
  }
  return true;
}

}  // namespace crmsync::spreadsheet
