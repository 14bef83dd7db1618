// Maildir names and the folder cursor.
#include "mail_folder.hpp"

#include <gtest/gtest.h>

namespace crmsync::email {
namespace {

TEST(MaildirId, IgnoresTheFlags) {
  EXPECT_EQ(maildirId("1733150000.M1P2Q3.host:2,S"), "1733150000.M1P2Q3.host");
  EXPECT_EQ(maildirId("1733150000.M1P2Q3.host:2,"), "1733150000.M1P2Q3.host");
  EXPECT_EQ(maildirId("1733150000.M1P2Q3.host!2,RS"), "1733150000.M1P2Q3.host");
  EXPECT_EQ(maildirId("1733150000.M1P2Q3.host"), "1733150000.M1P2Q3.host");
}

TEST(FolderCursor, SeesOnlyFilesNotReadBefore) {
  const int64_t s = 1'000'000'000;
  std::vector<MailFile> first{{"a", "a", 100 * s}, {"b", "b", 200 * s}};
  FolderCursor c = FolderCursor::after("maildir", first, FolderCursor{});
  EXPECT_EQ(c.newestNs, 200 * s);
  EXPECT_EQ(c.recent, (std::set<std::string>{"b"}));
  auto parsed = FolderCursor::parse(c.text());
  ASSERT_TRUE(parsed);
  // b flagged (same id), c new with the same mtime as b, d late with an mtime just before b, e much older.
  std::vector<MailFile> second{{"e", "e", 50 * s}, {"a", "a", 100 * s}, {"d", "d", 195 * s},
                               {"b:2,S", "b", 200 * s}, {"c", "c", 200 * s}};
  auto unseen = parsed->unseen(second);
  ASSERT_EQ(unseen.size(), 2u);
  EXPECT_EQ(unseen[0]->id, "d");
  EXPECT_EQ(unseen[1]->id, "c");
  FolderCursor next = FolderCursor::after("maildir", second, *parsed);
  EXPECT_TRUE(next.unseen(second).empty());
  EXPECT_FALSE(FolderCursor::parse("{\"kind\":\"mbox\",\"offset\":3}"));
}

}  // namespace
}  // namespace crmsync::email
