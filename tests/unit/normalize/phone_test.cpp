#include "crmsync/normalize/phone.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

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

TEST(Phone, KeepsExtensionsOfEveryWrittenForm) {
  PhoneNormalizer p;
  EXPECT_EQ(p.normalize("(415) 555-0100 x7", "US").extension, "7");
  EXPECT_EQ(p.normalize("+44 20 7946 0958 extension 1234", "GB").extension, "1234");
  EXPECT_EQ(p.normalize("010-65529988分机8001", "CN").extension, "8001");
  auto plain = p.normalize("+1 415 555 0100", "US");
  EXPECT_TRUE(plain.extension.empty());
  EXPECT_EQ(plain.e164, "+14155550100");
}

TEST(Phone, FlagsInvalidNumbersWithoutAnE164Value) {
  PhoneNormalizer p;
  auto r = p.normalize("+86 000 0000 0000", "CN");
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.e164.empty());
  EXPECT_EQ(r.reason, "not a valid number for its region");
  EXPECT_FALSE(p.normalize("", "CN").valid);
}

}  // namespace
}  // namespace crmsync::normalize
