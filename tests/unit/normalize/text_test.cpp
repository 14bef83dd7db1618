#include "crmsync/normalize/text.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

TEST(Text, TrimsUnicodeSpaceAndCollapsesInnerRuns) {
  EXPECT_EQ(trim("  Ada \t Lovelace \n"), "Ada Lovelace");
  EXPECT_EQ(trim("\u3000张三\u3000"), "张三");  // ideographic space
  EXPECT_EQ(trim("\u00a0Bob\u200b"), "Bob");     // NBSP and zero-width space
  EXPECT_EQ(trim(""), "");
}

TEST(Text, NfkcFoldsFullWidthCharacters) {
  EXPECT_EQ(nfkc("ＡＢＣ１２３"), "ABC123");
  EXPECT_EQ(nfkc("＋８６　１３８"), "+86 138");
  EXPECT_EQ(nfkc("plain ascii"), "plain ascii");
}

TEST(Text, LowersUnicode) {
  EXPECT_EQ(lower("ÄBC"), "äbc");
  EXPECT_EQ(lower("MiXeD"), "mixed");
}

TEST(Text, DetectsInvalidUtf8) {
  EXPECT_TRUE(isValidUtf8("张三"));
  EXPECT_FALSE(isValidUtf8("\xd5\xc5\xc8\xfd"));  // 张三 in GB2312
}

}  // namespace
}  // namespace crmsync::normalize
