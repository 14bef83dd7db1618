#include "crmsync/normalize/company.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

TEST(Company, RemovesLegalFormsFromTheKeyOnly) {
  for (auto [raw, key] : {std::pair{"ACME Inc.", "acme"}, {"Acme, Inc", "acme"}, {"Acme Corporation", "acme"},
                          {"Acme Corp.", "acme"}, {"Acme LLC", "acme"}, {"Acme Ltd", "acme"},
                          {"Acme Limited", "acme"}, {"Acme PLC", "acme"}, {"Acme LLP", "acme"},
                          {"Müller GmbH", "muller"}, {"Siemens AG", "siemens"},
                          {"Müller GmbH & Co. KG", "muller"}, {"Telefónica S.A.", "telefonica"},
                          {"Dupont SARL", "dupont"}, {"Philips BV", "philips"}, {"Woolworths Pty Ltd", "woolworths"},
                          {"Shanghai Acme Co., Ltd.", "shanghai acme"}, {"The Coca-Cola Company", "coca cola"}}) {
    auto c = normalizeCompany(raw);
    EXPECT_TRUE(c.valid) << raw;
    EXPECT_EQ(c.key, key) << raw;
    EXPECT_EQ(c.display, raw) << raw;
  }
}

TEST(Company, RemovesChineseLegalFormsAndCityQualifiers) {
  EXPECT_EQ(normalizeCompany("阿里巴巴（中国）有限公司").key, "阿里巴巴");
  EXPECT_EQ(normalizeCompany("阿里巴巴（中国）有限公司").display, "阿里巴巴(中国)有限公司");
  EXPECT_EQ(normalizeCompany("华为技术有限公司").key, "华为技术");
  EXPECT_EQ(normalizeCompany("中国平安保险（集团）股份有限公司").key, "中国平安保险");
  EXPECT_EQ(normalizeCompany("腾讯科技(深圳)有限责任公司").key, "腾讯科技");
  EXPECT_EQ(normalizeCompany("上海汽车集团股份有限公司").key, "上海汽车集团");
  EXPECT_EQ(normalizeCompany("Acme (Shanghai) Co., Ltd.").key, "acme");
}

TEST(Company, DropsGroupOnlyWhenAsked) {
  EXPECT_EQ(normalizeCompany("海尔集团").key, "海尔集团");
  EXPECT_EQ(normalizeCompany("海尔集团", {.dropGroup = true}).key, "海尔");
  EXPECT_EQ(normalizeCompany("上海汽车集团股份有限公司", {.dropGroup = true}).key, "上海汽车");
  EXPECT_EQ(normalizeCompany("Acme Group Ltd", {.dropGroup = true}).key, "acme");
}

TEST(Company, FoldsFullWidthCaseAndPunctuation) {
  EXPECT_EQ(normalizeCompany("ＡＣＭＥ　ＩＮＣ").key, "acme");
  EXPECT_EQ(normalizeCompany("ＡＣＭＥ　ＩＮＣ").display, "ACME INC");
  EXPECT_EQ(normalizeCompany("McDonald's Corp").key, normalizeCompany("MCDONALDS CORP.").key);
  EXPECT_EQ(normalizeCompany("AT&T Inc.").key, "at & t");
}

TEST(Company, KeepsANameThatIsOnlyALegalForm) {
  EXPECT_EQ(normalizeCompany("Limited").key, "limited");
}

TEST(Company, FlagsValuesWithoutLettersAndKeepsTheRawValue) {
  auto c = normalizeCompany("  --  ");
  EXPECT_FALSE(c.valid);
  EXPECT_EQ(c.raw, "  --  ");
  EXPECT_EQ(normalizeCompany("").reason, "empty");
}

}  // namespace
}  // namespace crmsync::normalize
