#include <gtest/gtest.h>

#include "crmsync/normalize/email.hpp"
#include "crmsync/normalize/phone.hpp"
#include "crmsync/normalize/text.hpp"

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

TEST(Email, LowerCasesAndTrims) {
  auto r = normalizeEmail("  John.Smith@Example.COM ");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "john.smith@example.com");
}

TEST(Email, KeepsProviderSpecificPartsByDefault) {
  auto r = normalizeEmail("first.last+crm@gmail.com");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "first.last+crm@gmail.com");
}

TEST(Email, ExtractsAddressFromDisplayForm) {
  auto r = normalizeEmail("Zhang San <ZhangSan@Example.cn>");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "zhangsan@example.cn");
}

TEST(Email, FlagsInvalidAddressesWithReason) {
  EXPECT_EQ(normalizeEmail("no-at-sign.com").reason, "no '@'");
  EXPECT_FALSE(normalizeEmail("a@localhost").valid);
  EXPECT_FALSE(normalizeEmail("a..b@example.com").valid);
  EXPECT_FALSE(normalizeEmail("a b@example.com").valid);
  EXPECT_FALSE(normalizeEmail("a@-example.com").valid);
}

TEST(Phone, FormatsChineseNumbersAsE164) {
  PhoneNormalizer p;
  EXPECT_EQ(p.normalize("+86 138 0013 8000", "CN").e164, "+8613800138000");
  EXPECT_EQ(p.normalize("13800138000", "CN").e164, "+8613800138000");
  EXPECT_EQ(p.normalize("(010) 6552-9988", "CN").e164, "+861065529988");
  EXPECT_EQ(p.normalize("＋８６　１３８００１３８０００", "CN").e164, "+8613800138000");
}

TEST(Phone, UsesTheDefaultRegionOnlyForNationalNumbers) {
  PhoneNormalizer p;
  EXPECT_EQ(p.normalize("+1 (415) 555-0100", "CN").e164, "+14155550100");
  EXPECT_EQ(p.normalize("020 7946 0958", "GB").e164, "+442079460958");
  EXPECT_EQ(p.normalize("030 1234567", "DE").e164, "+49301234567");
}

TEST(Phone, KeepsExtensionApart) {
  PhoneNormalizer p;
  auto r = p.normalize("+1 415-555-0100 ext. 42", "US");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.e164, "+14155550100");
  EXPECT_EQ(r.extension, "42");
  auto cn = p.normalize("010-65529988转123", "CN");
  EXPECT_TRUE(cn.valid);
  EXPECT_EQ(cn.e164, "+861065529988");
  EXPECT_EQ(cn.extension, "123");
}

TEST(Phone, FlagsInvalidNumbersWithReason) {
  PhoneNormalizer p;
  auto shortOne = p.normalize("138 00", "CN");
  EXPECT_FALSE(shortOne.valid);
  EXPECT_FALSE(shortOne.reason.empty());
  EXPECT_FALSE(p.normalize("call me", "CN").valid);
  EXPECT_FALSE(p.normalize("+86 000 0000 0000", "CN").valid);
}

TEST(Phone, KnowsRegions) {
  PhoneNormalizer p;
  EXPECT_TRUE(p.isKnownRegion("CN"));
  EXPECT_FALSE(p.isKnownRegion("XX"));
}

}  // namespace
}  // namespace crmsync::normalize
