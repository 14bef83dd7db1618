#include "header_mapping.hpp"

#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

std::vector<std::string> fields(const HeaderMapping& m) {
  std::vector<std::string> out;
  for (const auto& c : m.columns()) out.push_back(c.field);
  return out;
}

TEST(HeaderMapping, MapsChineseSynonymsToCanonicalFields) {
  HeaderMapping m({"客户编号", "姓名", "名", "姓", "公司", "职位", "邮箱", "电子邮件", "电话", "手机", "手机号", "地址",
                   "城市", "省份", "国家", "邮编", "生日"},
                  {}, nullptr);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"id", "name", "given_name", "family_name", "company", "title", "email",
                                                 "电子邮件", "phone", "mobile", "手机号", "address", "city", "region",
                                                 "country", "postcode", "birth_date"}));
}

TEST(HeaderMapping, MapsEnglishSynonymsToCanonicalFields) {
  HeaderMapping m({"Customer ID", "Full Name", "First Name", "Last Name", "Company", "Title", "E-mail", "Phone",
                   "Mobile", "Address", "City", "State", "Country", "ZIP", "Birthday"},
                  {}, nullptr);
  EXPECT_EQ(fields(m),
            (std::vector<std::string>{"id", "name", "given_name", "family_name", "company", "title", "email", "phone",
                                      "mobile", "address", "city", "region", "country", "postcode", "birth_date"}));
}

TEST(HeaderMapping, IgnoresCaseSpacesPunctuationAndFullWidthPadding) {
  HeaderMapping m({" E-Mail ", "FULL NAME", "zip_code", "手机号：", "\xE3\x80\x80姓名\xE3\x80\x80", "Tel."}, {},
                  nullptr);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"email", "name", "postcode", "mobile", "姓名", "phone"}));
  EXPECT_EQ(m.columns()[4].header, "姓名");
}

TEST(HeaderMapping, LetsConfiguredColumnsOverrideSynonyms) {
  HeaderMapping m({"Tel", "Notes", "会员等级"}, {{"tel", "mobile"}, {"Notes", "remarks"}}, nullptr);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"mobile", "remarks", "会员等级"}));
  EXPECT_TRUE(m.columns()[0].canonical);
  EXPECT_FALSE(m.columns()[2].canonical);
}

TEST(HeaderMapping, NamesEmptyHeadersByPosition) {
  HeaderMapping m({"Name", "", "Email"}, {}, nullptr);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"name", "column_2", "email"}));
}

TEST(HeaderMapping, KeepsBothColumnsWhenTwoHeadersMapToOneField) {
  std::vector<std::string> notes;
  HeaderMapping m({"Phone", "Tel", "Email", "email"}, {}, &notes);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"phone", "Tel", "email", "email_4"}));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("'Tel'"), std::string::npos);
}

TEST(HeaderMapping, DropsAColumnMappedToAnEmptyName) {
  HeaderMapping m({"Name", "Internal"}, {{"Internal", ""}}, nullptr);
  EXPECT_EQ(fields(m), (std::vector<std::string>{"name", ""}));
}

TEST(HeaderMapping, NotesConfiguredColumnsThatMatchNoHeader) {
  std::vector<std::string> notes;
  HeaderMapping m({"Name"}, {{"Emial", "email"}}, &notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("'Emial'"), std::string::npos);
}

TEST(HeaderMapping, FindsColumnsByFieldNameOrHeaderText) {
  HeaderMapping m({"客户编号", "姓名", "Customer Email"}, {{"Customer Email", "email"}}, nullptr);
  EXPECT_EQ(m.find("id"), 0u);
  EXPECT_EQ(m.find("客户编号"), 0u);
  EXPECT_EQ(m.find("customer email"), 2u);
  EXPECT_EQ(m.find("email"), 2u);
  EXPECT_FALSE(m.find("phone").has_value());
}

TEST(HeaderMapping, ExposesTheSynonymTable) {
  EXPECT_EQ(synonymFor("电子邮件"), "email");
  EXPECT_EQ(synonymFor("Mobile Phone"), "mobile");
  EXPECT_EQ(synonymFor("ID"), "id");
  EXPECT_FALSE(synonymFor("会员等级").has_value());
}

}  // namespace
}  // namespace crmsync::spreadsheet
