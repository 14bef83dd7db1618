// The normalize stage's name, date, company, address and e-mail options, and how their YAML is checked.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {
namespace {

config::StageSpec stageFrom(const std::string& yaml) {
  config::StageSpec s;
  s.node = YAML::Load(yaml);
  s.type = "normalize";
  s.name = s.type;
  return s;
}

Record customer(std::vector<Field> fields) {
  Record r;
  r.entity = "customer";
  r.sourceKey = "k1";
  r.fields = std::move(fields);
  return r;
}

std::vector<Record> runStage(const std::string& yaml, std::vector<Record> records) {
  config::PipelineSpec spec;
  auto stage = StageRegistry::builtin().find("normalize")->create(stageFrom(yaml), spec);
  EXPECT_TRUE(stage.isOk()) << stage.status().toString();
  if (!stage.isOk()) return records;
  std::vector<Rejected> rejected;
  std::map<std::string, SourceStats> stats;
  RunContext run{spec, nullptr, stats};
  EXPECT_TRUE((*stage)->process("s", records, rejected, run).isOk());
  return records;
}

std::string validate(const std::string& yaml) {
  config::PipelineSpec spec;
  spec.file = "p.yaml";
  config::Diagnostics diags;
  StageRegistry::builtin().find("normalize")->validate(stageFrom(yaml), spec, diags);
  return diags.str();
}

TEST(NormalizeStageOps, NameWritesGivenFamilyKeyAndPhoneticFieldsByDefault) {
  auto out = runStage("fields: {name: name}\n", {customer({{"name", "Mr. SMITH John"}})});
  EXPECT_EQ(out[0].get("name"), "John Smith");
  EXPECT_EQ(out[0].get("name_given"), "John");
  EXPECT_EQ(out[0].get("name_family"), "Smith");
  EXPECT_EQ(out[0].get("name_key"), "smith john");
  EXPECT_EQ(out[0].get("name_dm"), "SM0 JN");
  EXPECT_EQ(out[0].get("name_dm_alt"), "XMT AN");
  EXPECT_TRUE(out[0].qualityFlags.empty());
}

TEST(NormalizeStageOps, NameWritesToConfiguredFieldsAndSkipsTurnedOffOnes) {
  auto out = runStage(R"(fields:
  name: [trim, {name: {given: given_name, family: family_name, key: name_key, phonetic: ~, phonetic_alt: ~,
                       raw: name_raw}}]
)", {customer({{"name", " 欧阳娜娜 "}})});
  EXPECT_EQ(out[0].get("name"), "欧阳娜娜");
  EXPECT_EQ(out[0].get("given_name"), "娜娜");
  EXPECT_EQ(out[0].get("family_name"), "欧阳");
  EXPECT_EQ(out[0].get("name_key"), "欧阳娜娜");
  EXPECT_EQ(out[0].get("name_raw"), "欧阳娜娜");  // the value the op received, after trim
  EXPECT_EQ(out[0].find("name_dm"), nullptr);
}

TEST(NormalizeStageOps, DateUsesDayOrderAndTimeZoneOptions) {
  auto out = runStage(R"(fields:
  birth_date: {date: {day_first: true}}
  occurred_at: {date: {time_zone: Asia/Shanghai}}
)", {customer({{"birth_date", "03/05/1990"}, {"occurred_at", "2024-03-05 10:00"}})});
  EXPECT_EQ(out[0].get("birth_date"), "1990-05-03");
  EXPECT_EQ(out[0].get("occurred_at"), "2024-03-05T02:00:00Z");
}

TEST(NormalizeStageOps, InvalidDatesKeepTheirRawTextAndGetAFlag) {
  auto out = runStage("fields: {birth_date: date}\n", {customer({{"birth_date", "2024-02-30"}})});
  EXPECT_EQ(out[0].get("birth_date"), "2024-02-30");
  ASSERT_EQ(out[0].qualityFlags.size(), 1u);
  EXPECT_EQ(out[0].qualityFlags[0], "birth_date: invalid date (no such date)");
}

TEST(NormalizeStageOps, CompanyKeepsTheLegalFormAndWritesAKey) {
  auto out = runStage("fields: {company: company}\n", {customer({{"company", "阿里巴巴（中国）有限公司"}})});
  EXPECT_EQ(out[0].get("company"), "阿里巴巴(中国)有限公司");
  EXPECT_EQ(out[0].get("company_key"), "阿里巴巴");
}

TEST(NormalizeStageOps, AddressWritesTokensAndThePostcodeOfTheRecordsCountry) {
  auto out = runStage(R"(default_region: CN
region_field: country
fields:
  address: {address: {postcode: postcode}}
)", {customer({{"address", "10 Downing St, London SW1A 2AA"}, {"country", "United Kingdom"}}),
     customer({{"address", "上海市浦东新区世纪大道100号 200120"}})});
  EXPECT_EQ(out[0].get("postcode"), "SW1A 2AA");
  EXPECT_EQ(out[0].get("address_tokens"), "10 downing street london");
  EXPECT_EQ(out[1].get("postcode"), "200120");
}

TEST(NormalizeStageOps, EmailProviderRulesAreOptIn) {
  auto out = runStage(R"(fields:
  email: email
  work_email: {email: {provider_rules: true}}
  other_email: {email: {strip_tags: true, key: other_email_key}}
)", {customer({{"email", "First.Last+crm@Gmail.com"}, {"work_email", "First.Last+crm@googlemail.com"},
               {"other_email", "Ann+news@Example.com"}})});
  EXPECT_EQ(out[0].get("email"), "first.last+crm@gmail.com");
  EXPECT_EQ(out[0].get("work_email"), "firstlast@gmail.com");
  EXPECT_EQ(out[0].get("other_email"), "ann+news@example.com");
  EXPECT_EQ(out[0].get("other_email_key"), "ann@example.com");
}

TEST(NormalizeStageOps, PhoneExtensionFieldCanBeRenamed) {
  auto out = runStage("default_region: US\nfields: {phone: {phone: {extension: phone_extension}}}\n",
                      {customer({{"phone", "415-555-0100 x12"}})});
  EXPECT_EQ(out[0].get("phone"), "+14155550100");
  EXPECT_EQ(out[0].get("phone_extension"), "12");
}

TEST(NormalizeStageOps, ValidationReportsBadOperationsWithTheirPosition) {
  EXPECT_EQ(validate("fields: {name: name, birth_date: {date: {day_first: true}}}\n"), "");
  auto out = validate(R"(fields:
  birth_date: {date: {day_frist: true}}
  occurred_at: {date: {time_zone: Mars/Olympus}}
  company: [trim, compnay]
  email: {email: {provider_rules: maybe}}
  name: {name: given_name}
  address: {address: x, trim: y}
)");
  EXPECT_NE(out.find("p.yaml:2:23: error: 'date' has no option 'day_frist'; did you mean 'day_first'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:3:35: error: unknown time zone 'Mars/Olympus'"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:4:19: error: unknown operation 'compnay'; did you mean 'company'?"), std::string::npos)
      << out;
  EXPECT_NE(out.find("p.yaml:5:35: error: 'provider_rules' must be true or false"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:6:16: error: options of 'name' must be a map"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:7:12: error: an operation with options is a map with one key"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace crmsync::pipeline
