#include "cdr_file.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace crmsync::phone {
namespace {

using testing::ScratchDir;

struct SeenLine {
  std::string text;
  uint64_t offset;
  uint64_t line;
};

std::vector<SeenLine> readAll(const CdrFile& file, uint64_t from, uint64_t line, uint64_t* end, uint64_t* endLine) {
  std::vector<SeenLine> out;
  *end = file.readLines(
      from, line, [&](std::string_view l, uint64_t offset, uint64_t number) { out.push_back({std::string(l), offset, number}); },
      endLine);
  return out;
}

TEST(CdrFile, ReadsLinesAcrossChunksWithTheirOffsetsAndNumbers) {
  ScratchDir dir;
  // Lines of many lengths, one longer than the 1 MiB read buffer, CRLF and LF endings, a blank line.
  std::string text;
  std::vector<SeenLine> expected;
  uint64_t line = 1;
  for (int i = 0; i < 5000; ++i) {
    std::string l = "row" + std::to_string(i) + std::string(static_cast<size_t>(i % 997), 'x');
    if (i == 2500) l = std::string(3 * 1024 * 1024, 'L');
    expected.push_back({l, text.size(), line++});
    text += l + (i % 3 == 0 ? "\r\n" : "\n");
    if (i == 100) {
      text += "\n";
      ++line;
    }
  }
  text += "partial";
  std::string path = dir.write("Master.csv", text);
  CdrFile file(path);
  EXPECT_EQ(file.size(), text.size());
  uint64_t end = 0;
  uint64_t endLine = 0;
  auto seen = readAll(file, 0, 1, &end, &endLine);
  ASSERT_EQ(seen.size(), expected.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i].offset, expected[i].offset) << i;
    ASSERT_EQ(seen[i].line, expected[i].line) << i;
    ASSERT_EQ(seen[i].text, expected[i].text) << i;
  }
  EXPECT_EQ(end, text.size() - 7) << "the partial last line is left for the next run";
  EXPECT_EQ(endLine, line);

  // Resuming in the middle gives the same lines from there on.
  auto rest = readAll(file, expected[4000].offset, expected[4000].line, &end, &endLine);
  ASSERT_EQ(rest.size(), 1000u);
  EXPECT_EQ(rest.front().text, expected[4000].text);
  EXPECT_EQ(rest.back().line, expected.back().line);
}

TEST(CdrFile, FingerprintsTheBytesBeforeAnOffset) {
  ScratchDir dir;
  std::string path = dir.write("a.csv", std::string(200000, 'a') + "\n");
  CdrFile a(path);
  auto fp = a.fingerprint(100000);
  std::string other = std::string(200000, 'a');
  other[99999] = 'b';  // inside the 64 KiB before the offset
  CdrFile b(dir.write("b.csv", other));
  EXPECT_NE(b.fingerprint(100000), fp);
  other = std::string(200000, 'a');
  other[150000] = 'b';  // after the offset: not part of what was read
  CdrFile c(dir.write("c.csv", other));
  EXPECT_EQ(c.fingerprint(100000), fp);
  EXPECT_EQ(a.fingerprint(0), c.fingerprint(0));
}

TEST(CdrCursor, RoundTripsAndRefusesWhatItCannotTrust) {
  CdrCursor c;
  c.format = "asterisk";
  c.file = "/var/log/asterisk/cdr-csv/Master.csv";
  c.settings = "0123456789abcdef";
  c.offset = 123456;
  c.line = 400;
  c.tail = 120000;
  c.tailLine = 390;
  c.head = 0xfedcba9876543210ull;
  c.before = 42;
  std::string problem;
  auto back = CdrCursor::parse(c.toJson(), &problem);
  ASSERT_TRUE(back) << problem;
  EXPECT_EQ(back->toJson(), c.toJson());
  EXPECT_FALSE(CdrCursor::parse("not json", &problem));
  EXPECT_FALSE(CdrCursor::parse(R"({"version":2})", &problem));
  c.tail = c.offset + 1;
  EXPECT_FALSE(CdrCursor::parse(c.toJson(), &problem));
  EXPECT_EQ(problem, "the stored cursor is inconsistent");
}

TEST(CdrFile, SaysWhichFileItCannotOpen) {
  try {
    CdrFile missing("/nonexistent/Master.csv");
    FAIL() << "opened a missing file";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_IO);
    EXPECT_NE(std::string(e.what()).find("cannot open /nonexistent/Master.csv: No such file"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace crmsync::phone
