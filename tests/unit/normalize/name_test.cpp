#include "crmsync/normalize/name.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

TEST(Name, ReadsWesternOrderCommaOrderAndFamilyNameInCapitals) {
  for (const char* raw : {"Wei Zhang", "Zhang, Wei", "ZHANG Wei", "  wei   zhang "}) {
    auto n = normalizeName(raw);
    ASSERT_TRUE(n.valid) << raw;
    EXPECT_EQ(n.given, "Wei") << raw;
    EXPECT_EQ(n.family, "Zhang") << raw;
    EXPECT_EQ(n.full, "Wei Zhang") << raw;
    EXPECT_EQ(n.key, "zhang wei") << raw;
  }
}

TEST(Name, KeepsTheRawValue) {
  EXPECT_EQ(normalizeName(" Dr. Ada Lovelace ").raw, " Dr. Ada Lovelace ");
}

TEST(Name, RemovesTitlesAndKeepsSuffixesApart) {
  auto n = normalizeName("Mr. John Smith Jr.");
  EXPECT_EQ(n.given, "John");
  EXPECT_EQ(n.family, "Smith");
  EXPECT_EQ(n.suffix, "Jr");
  EXPECT_EQ(n.full, "John Smith Jr");
  EXPECT_EQ(n.key, "smith john");
  EXPECT_EQ(normalizeName("Prof. Dr. Hans Müller").full, "Hans Müller");
  EXPECT_EQ(normalizeName("Frau Anna Schmidt").family, "Schmidt");
  EXPECT_EQ(normalizeName("Smith, John, III").suffix, "III");
  EXPECT_EQ(normalizeName("Smith, Mrs. Jane").given, "Jane");
}

TEST(Name, SplitsChineseNamesWithoutSpaces) {
  auto n = normalizeName("张伟");
  EXPECT_TRUE(n.valid);
  EXPECT_EQ(n.family, "张");
  EXPECT_EQ(n.given, "伟");
  EXPECT_EQ(n.full, "张伟");
  EXPECT_EQ(n.key, "张伟");
  EXPECT_TRUE(n.phoneticPrimary.empty());
  EXPECT_TRUE(n.phoneticAlternate.empty());
}

TEST(Name, KnowsCompoundChineseSurnames) {
  for (auto [raw, family, given] : {std::tuple{"欧阳娜娜", "欧阳", "娜娜"}, {"司马相如", "司马", "相如"},
                                    {"诸葛亮", "诸葛", "亮"}, {"上官婉儿", "上官", "婉儿"},
                                    {"东方朔", "东方", "朔"}, {"皇甫嵩", "皇甫", "嵩"}}) {
    auto n = normalizeName(raw);
    EXPECT_EQ(n.family, family) << raw;
    EXPECT_EQ(n.given, given) << raw;
  }
  // Two characters are one family name and one given name, even when they could be a compound surname.
  EXPECT_EQ(normalizeName("欧阳").family, "欧");
}

TEST(Name, FindsTheFamilyNameAtTheEndOfAChineseNameWrittenGivenNameFirst) {
  for (auto [raw, family, given] : {std::tuple{"浩然陈", "陈", "浩然"}, {"伟张", "张", "伟"},
                                    {"娜娜欧阳", "欧阳", "娜娜"}, {"秀英王", "王", "秀英"}}) {
    auto n = normalizeName(raw);
    EXPECT_EQ(n.family, family) << raw;
    EXPECT_EQ(n.given, given) << raw;
    EXPECT_EQ(n.full, std::string(family) + given) << raw;
  }
  EXPECT_EQ(normalizeName("浩然陈").latin, normalizeName("陈浩然").latin);
  // A name that starts with a known family name is read family name first, whatever its end.
  EXPECT_EQ(normalizeName("王李").family, "王");
  EXPECT_EQ(normalizeName("李文博").family, "李");
  // Neither end a known family name: family name first, as written (Japanese names too).
  EXPECT_EQ(normalizeName("山田太郎").family, "山");
}

TEST(Name, RemovesChineseFormsOfAddressAndFullWidthSpace) {
  auto n = normalizeName("张伟先生");
  EXPECT_EQ(n.full, "张伟");
  EXPECT_EQ(normalizeName("李娜　女士").full, "李娜");
  EXPECT_EQ(normalizeName("王小姐").family, "王");
}

TEST(Name, FoldsFullWidthLatinLetters) {
  auto n = normalizeName("ＪＯＨＮ　ＳＭＩＴＨ");
  EXPECT_EQ(n.full, "John Smith");
  EXPECT_EQ(n.key, "smith john");
}

TEST(Name, GivesLatinNamesDoubleMetaphoneCodesFamilyNameFirst) {
  auto n = normalizeName("John Smith");
  EXPECT_EQ(n.phoneticPrimary, "SM0 JN");
  EXPECT_EQ(n.phoneticAlternate, "XMT AN");
  EXPECT_EQ(normalizeName("Jon Smyth").phoneticPrimary, "SM0 JN");
  auto pinyin = normalizeName("Wei Zhang");  // pinyin is Latin script
  EXPECT_EQ(pinyin.phoneticPrimary, "JNK A");
  EXPECT_EQ(pinyin.phoneticAlternate, "JNK F");
}

TEST(Name, IgnoresAccentsAndPunctuationInKeys) {
  EXPECT_EQ(normalizeName("José García").key, normalizeName("Jose Garcia").key);
  EXPECT_EQ(normalizeName("José García").full, "José García");
  EXPECT_EQ(normalizeName("Seán O'Brien").key, "obrien sean");
  EXPECT_EQ(normalizeName("JEAN-LUC PICARD").full, "Jean-Luc Picard");
  EXPECT_EQ(normalizeName("Jean-Luc Picard").key, "picard jean luc");
  EXPECT_EQ(normalizeName("Straße, Anna").key, normalizeName("Anna STRASSE").key);
}

TEST(Name, KeepsParticlesWithTheFamilyName) {
  auto n = normalizeName("Ludwig van Beethoven");
  EXPECT_EQ(n.given, "Ludwig");
  EXPECT_EQ(n.family, "van Beethoven");
  EXPECT_EQ(normalizeName("Oscar de la Hoya").family, "de la Hoya");
}

TEST(Name, FlagsValuesThatAreNotNames) {
  EXPECT_EQ(normalizeName("").reason, "empty");
  EXPECT_EQ(normalizeName("john@example.com").reason, "looks like an e-mail address");
  EXPECT_EQ(normalizeName("13800138000").reason, "contains digits");
  EXPECT_EQ(normalizeName("---").reason, "no letters");
  EXPECT_EQ(normalizeName("Dr.").reason, "only a title");
  auto bad = normalizeName("Agent 007");
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.full, "Agent 007");
}

TEST(NormalizeName, LatinKeyAgreesAcrossScriptsAndOrder) {
  EXPECT_EQ(normalizeName("张伟").latin, "wei zhang");
  EXPECT_EQ(normalizeName("Wei Zhang").latin, "wei zhang");
  EXPECT_EQ(normalizeName("ZHANG Wei").latin, "wei zhang");
  EXPECT_EQ(normalizeName("黄晓明").latin, "huang xiaoming");
  EXPECT_EQ(normalizeName("Xiaoming Huang").latin, "huang xiaoming");
  EXPECT_EQ(normalizeName("欧阳娜娜").latin, "nana ouyang");
  // A family name is read as a family name: 曾 is Zeng, 单 Shan, whatever the character's common reading.
  EXPECT_EQ(normalizeName("曾霞").latin, normalizeName("Xia Zeng").latin);
  EXPECT_EQ(normalizeName("单磊").latin, "lei shan");
  EXPECT_EQ(normalizeName("长孙无忌").latin, "wuji zhangsun");
  EXPECT_EQ(normalizeName("Smith Sophie").latin, normalizeName("Sophie Smith").latin);
  EXPECT_EQ(normalizeName("Zoë O'Brien").latin, "obrien zoe");
}

}  // namespace
}  // namespace crmsync::normalize
