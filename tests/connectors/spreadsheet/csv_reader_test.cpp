#include "csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crmsync::spreadsheet {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows readAll(std::string_view text, char delimiter = 0) {
  CsvReader reader(text, delimiter);
  CsvRecord record;
  Rows rows;
  while (reader.next(record)) rows.emplace_back(record.fields.begin(), record.fields.end());
  return rows;
}

std::vector<size_t> startLines(std::string_view text) {
  CsvReader reader(text);
  CsvRecord record;
  std::vector<size_t> lines;
  while (reader.next(record)) lines.push_back(record.line);
  return lines;
}

TEST(CsvReader, SplitsSimpleRecords) { EXPECT_EQ(readAll("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}})); }

TEST(CsvReader, KeepsDelimitersInsideQuotes) {
  EXPECT_EQ(readAll("name,company\n\"Li, Lei\",\"Acme, Inc.\"\n"),
            (Rows{{"name", "company"}, {"Li, Lei", "Acme, Inc."}}));
}

TEST(CsvReader, UndoublesQuotesInsideQuotedFields) {
  EXPECT_EQ(readAll("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n"), (Rows{{"a", "b"}, {"say \"hi\"", "\""}}));
}

TEST(CsvReader, KeepsLineBreaksInsideQuotedFields) {
  EXPECT_EQ(readAll("id,address\r\n1,\"Line 1\r\nLine 2\nLine 3\"\r\n2,x\r\n"),
            (Rows{{"id", "address"}, {"1", "Line 1\r\nLine 2\nLine 3"}, {"2", "x"}}));
}

TEST(CsvReader, ReportsThePhysicalLineWhereEachRecordStarts) {
  EXPECT_EQ(startLines("h1,h2\n1,\"a\nb\nc\"\n2,x\n\n3,y"), (std::vector<size_t>{1, 2, 5, 6, 7}));
}

// Resuming an appended file skips what was read before; the records after keep their line numbers, whether the
// skipped lines end in LF, CR LF or a lone CR.
TEST(CsvReader, SeekCountsTheLinesItSkips) {
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    std::string text = "h1,h2";
    text += eol;
    for (int i = 1; i <= 40; ++i) text += std::to_string(i) + ",x" + std::string(eol);
    const size_t resume = text.size();
    text += "41,y";
    text += eol;
    CsvReader reader(text);
    CsvRecord record;
    ASSERT_TRUE(reader.next(record));  // the header
    reader.seek(resume);
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.fields[0], "41");
    EXPECT_EQ(record.line, 42u) << "line ends " << (eol == "\n" ? "LF" : eol == "\r" ? "CR" : "CRLF");
  }
}

TEST(CsvReader, ReadsALastLineWithoutNewline) {
  EXPECT_EQ(readAll("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(readAll("a,b\n1,\"2\""), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReader, AcceptsCrLfLfAndLoneCrLineEndings) {
  EXPECT_EQ(readAll("a\r\nb\nc\rd"), (Rows{{"a"}, {"b"}, {"c"}, {"d"}}));
  EXPECT_EQ(startLines("a\r\nb\nc\rd"), (std::vector<size_t>{1, 2, 3, 4}));
}

TEST(CsvReader, KeepsEmptyFieldsIncludingTrailingOnes) {
  EXPECT_EQ(readAll("a,,c,\n,,,"), (Rows{{"a", "", "c", ""}, {"", "", "", ""}}));
}

TEST(CsvReader, KeepsLeadingZerosAndLongDigitStrings) {
  EXPECT_EQ(readAll("id,phone\n001234,13800138000\n"), (Rows{{"id", "phone"}, {"001234", "13800138000"}}));
}

TEST(CsvReader, FlagsAQuoteThatIsNeverClosed) {
  CsvReader reader("a,b\n1,\"open\n2,3\n");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_FALSE(record.unterminatedQuote);
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(record.unterminatedQuote);
  EXPECT_EQ(record.line, 2u);
  EXPECT_FALSE(reader.next(record));
}

TEST(CsvReader, KeepsTextAfterAClosingQuoteAsExcelDoes) { EXPECT_EQ(readAll("\"ab\"cd,e"), (Rows{{"abcd", "e"}})); }

TEST(CsvReader, TreatsQuotesInsideUnquotedFieldsAsText) { EXPECT_EQ(readAll("5'11\",x"), (Rows{{"5'11\"", "x"}})); }

TEST(CsvReader, HonoursAnExcelSepLine) {
  CsvReader reader("sep=;\r\nname;amount\r\nA;1,5\r\n");
  EXPECT_EQ(reader.delimiter(), ';');
  EXPECT_TRUE(reader.hadSepLine());
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 2u);
  EXPECT_EQ(std::vector<std::string>(record.fields.begin(), record.fields.end()),
            (std::vector<std::string>{"name", "amount"}));
}

TEST(CsvReader, LetsAConfiguredDelimiterWinOverTheSepLineButStillSkipsIt) {
  CsvReader reader("sep=;\na|b\n", '|');
  EXPECT_EQ(reader.delimiter(), '|');
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.fields.size(), 2u);
}

TEST(CsvReader, SniffsSemicolonsWhenCommasAreDecimalSeparators) {
  EXPECT_EQ(CsvReader::sniffDelimiter("name;amount;rate\nA;1,5;0,2\nB;2,25;1,0\n"), ';');
}

TEST(CsvReader, SniffsTabs) { EXPECT_EQ(CsvReader::sniffDelimiter("a\tb\tc\n1\t2, 3\t4\n"), '\t'); }

TEST(CsvReader, IgnoresDelimitersInsideQuotesWhenSniffing) {
  EXPECT_EQ(CsvReader::sniffDelimiter("\"a;b;c\",x\n\"d;e;f\",y\n"), ',');
}

TEST(CsvReader, FallsBackToCommaForASingleColumn) { EXPECT_EQ(CsvReader::sniffDelimiter("email\na@x.com\n"), ','); }

TEST(CsvReader, ExposesTheRawTextOfARecord) {
  CsvReader reader("a,b\n\"x\"\"y\",2\r\n");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.raw, "\"x\"\"y\",2");
}

TEST(CsvReader, ReturnsBlankLinesAsBlankRecords) {
  CsvReader reader("a\n\nb\n");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(record.isBlank());
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.fields[0], "b");
}

TEST(CsvReader, ReadsNothingFromEmptyText) {
  CsvReader reader("");
  CsvRecord record;
  EXPECT_FALSE(reader.next(record));
}

}  // namespace
}  // namespace crmsync::spreadsheet
