// The mbox splitter on hand-written bytes: separator lines, completeness, From-quoting and the cursor.
#include "mbox_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crmsync::email {
namespace {

std::vector<MboxMessage> all(std::string_view bytes, size_t start = 0, size_t* consumed = nullptr) {
  MboxScanner s(bytes, start);
  std::vector<MboxMessage> out;
  MboxMessage m;
  while (s.next(m)) out.push_back(m);
  if (consumed) *consumed = s.consumed();
  return out;
}

TEST(IsFromLine, AcceptsTheSeparatorsRealToolsWrite) {
  EXPECT_TRUE(isFromLine("From MAILER-DAEMON Wed Dec  2 17:56:21 2026"));                     // Python
  EXPECT_TRUE(isFromLine("From 1826093417741123456@xxx Tue Mar 11 01:31:25 +0000 2025"));    // Google Takeout
  EXPECT_TRUE(isFromLine("From - Tue Mar 11 01:31:25 2025"));                                // Thunderbird
  EXPECT_TRUE(isFromLine("From bo@client.cn  Sat Jan  3 01:05:34 1996"));
  EXPECT_FALSE(isFromLine("From here on we talk about prices"));
  EXPECT_FALSE(isFromLine("From: bo@client.cn"));
  EXPECT_FALSE(isFromLine("From 9 to 5 every day"));
}

TEST(MboxScanner, SplitsAtFromLinesAfterBlankLines) {
  const std::string box =
      "From a Tue Mar 11 01:31:25 2025\nSubject: 1\n\nbody\nFrom the top, without a blank line\n\n"
      "From here on, prose after a blank line\n\nFrom b Tue Mar 11 01:31:26 2025\nSubject: 2\n\nsecond\n\n";
  size_t consumed = 0;
  auto m = all(box, 0, &consumed);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].offset, 0u);
  EXPECT_EQ(m[0].raw, "Subject: 1\n\nbody\nFrom the top, without a blank line\n\nFrom here on, prose after a blank line\n");
  EXPECT_EQ(m[1].offset, box.find("From b"));
  EXPECT_EQ(m[1].raw, "Subject: 2\n\nsecond\n");
  EXPECT_EQ(consumed, box.size());
}

TEST(MboxScanner, LeavesAMessageStillBeingWritten) {
  const std::string done = "From a Tue Mar 11 01:31:25 2025\nSubject: 1\n\nbody\n\n";
  const std::string partial = "From b Tue Mar 11 01:31:26 2025\nSubject: 2\n\nhalf a li";
  size_t consumed = 0;
  auto m = all(done + partial, 0, &consumed);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(consumed, done.size());
  // A separator line cut before its date does not end the message before it either.
  auto cut = all(done + "From b Tue Ma", 0, &consumed);
  EXPECT_EQ(cut.size(), 0u);
  EXPECT_EQ(consumed, 0u);
  // Resuming at the consumed offset finds the rest once it is complete.
  auto rest = all(done + partial + "ne\n\n", done.size(), &consumed);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].raw, "Subject: 2\n\nhalf a line\n");
}

TEST(MboxScanner, ReadsCrlfMboxes) {
  const std::string box = "From a Tue Mar 11 01:31:25 2025\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b Tue Mar 11 01:31:26 "
                          "2025\r\nSubject: 2\r\n\r\ny\r\n\r\n";
  auto m = all(box);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].raw, "Subject: 1\r\n\r\nx\r\n");
}

TEST(MboxScanner, ReportsTextBeforeTheFirstFromLine) {
  const std::string box = "garbage\n\nFrom a Tue Mar 11 01:31:25 2025\nSubject: 1\n\nx\n\n";
  MboxScanner s(box, 0);
  ASSERT_TRUE(s.leadingJunk());
  EXPECT_EQ(*s.leadingJunk(), "garbage\n\n");
  MboxMessage m;
  ASSERT_TRUE(s.next(m));
  EXPECT_EQ(m.offset, 9u);
}

TEST(UnquoteFromLines, StripsOneLevelAsTheVariantSays) {
  std::string storage;
  const std::string raw = "a\n>From x\n>>From y\n> From z\n>Fromage\n";
  EXPECT_EQ(unquoteFromLines(raw, MboxQuoting::Mboxrd, storage), "a\nFrom x\n>From y\n> From z\n>Fromage\n");
  EXPECT_EQ(unquoteFromLines(raw, MboxQuoting::Mboxo, storage), "a\nFrom x\n>>From y\n> From z\n>Fromage\n");
  const std::string plain = "no quoting here\n";
  EXPECT_EQ(unquoteFromLines(plain, MboxQuoting::Mboxrd, storage).data(), plain.data());  // no copy
}

TEST(MboxCursor, MatchesAnAppendedFileAndNotARewrittenOne) {
  const std::string first = "From a Tue Mar 11 01:31:25 2025\nSubject: 1\n\nx\n\n";
  const std::string second = "From b Tue Mar 11 01:31:26 2025\nSubject: 2\n\ny\n\n";
  MboxCursor c = MboxCursor::at(first, first.size());
  auto parsed = MboxCursor::parse(c.text());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->offset, first.size());
  EXPECT_TRUE(parsed->matches(first));
  EXPECT_TRUE(parsed->matches(first + second));
  std::string rewritten = first;
  rewritten[first.find('x')] = 'z';
  EXPECT_FALSE(parsed->matches(rewritten + second));
  EXPECT_FALSE(parsed->matches(second));           // compacted: shorter
  EXPECT_FALSE(parsed->matches(first + "junk\n"));  // no From_ line at the offset
  EXPECT_FALSE(MboxCursor::parse("{\"kind\":\"maildir\"}"));
  EXPECT_FALSE(MboxCursor::parse("not json"));
}

}  // namespace
}  // namespace crmsync::email
