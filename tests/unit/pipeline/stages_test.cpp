#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "crmsync/pipeline/stage.hpp"
#include "crmsync/pipeline/validate.hpp"

namespace crmsync::pipeline {
namespace {

config::StageSpec stageFrom(const std::string& yaml) {
  config::StageSpec s;
  s.node = YAML::Load(yaml);
  s.type = s.node["type"].Scalar();
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
  auto stage = StageRegistry::builtin().find(stageFrom(yaml).type)->create(stageFrom(yaml), spec);
  EXPECT_TRUE(stage.isOk()) << stage.status().toString();
  std::vector<Rejected> rejected;
  std::map<std::string, SourceStats> stats;
  RunContext run{spec, nullptr, stats};  // map and normalize never touch the transaction
  EXPECT_TRUE((*stage)->process("s", records, rejected, run).isOk());
  return records;
}

TEST(MapStage, RenamesTemplatesSetsAndDropsInThatOrder) {
  auto out = runStage(R"(type: map
rename: {First Name: given_name, Last Name: family_name}
template: {name: "{given_name} {family_name}"}
set: {country: GB}
drop: [internal_note]
)", {customer({{"First Name", "Ada"}, {"Last Name", "Lovelace"}, {"internal_note", "vip"}})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get("given_name"), "Ada");
  EXPECT_EQ(out[0].get("family_name"), "Lovelace");
  EXPECT_EQ(out[0].get("name"), "Ada Lovelace");
  EXPECT_EQ(out[0].get("country"), "GB");
  EXPECT_EQ(out[0].find("internal_note"), nullptr);
  EXPECT_EQ(out[0].find("First Name"), nullptr);
}

TEST(MapStage, TemplateOfOnlyEmptyFieldsIsNull) {
  auto out = runStage("type: map\ntemplate: {name: \"{given_name} {family_name}\"}\n",
                      {customer({{"given_name", std::nullopt}})});
  ASSERT_NE(out[0].find("name"), nullptr);
  EXPECT_FALSE(out[0].get("name").has_value());
}

TEST(MapStage, TemplateKeepsLiteralBraces) {
  auto out = runStage("type: map\ntemplate: {note: \"{{{id}}}\"}\n", {customer({{"id", "7"}})});
  EXPECT_EQ(out[0].get("note"), "{7}");
}

TEST(NormalizeStage, NormalizesEmailsPhonesAndNames) {
  auto out = runStage(R"(type: normalize
default_region: CN
region_field: country
fields:
  name: [trim, nfkc]
  email: email
  phone: phone
)", {customer({{"name", "  张三\u3000"}, {"email", " ZhangSan@Example.CN "}, {"phone", "138 0013 8000"}}),
     customer({{"name", "ＪＯＨＮ"}, {"email", "john@example.com"}, {"phone", "(415) 555-0100"}, {"country", "United States"}})});
  EXPECT_EQ(out[0].get("name"), "张三");
  EXPECT_EQ(out[0].get("email"), "zhangsan@example.cn");
  EXPECT_EQ(out[0].get("phone"), "+8613800138000");
  EXPECT_TRUE(out[0].qualityFlags.empty());
  EXPECT_EQ(out[1].get("name"), "JOHN");
  EXPECT_EQ(out[1].get("phone"), "+14155550100");  // region from the country name
}

TEST(NormalizeStage, KeepsInvalidValuesAndFlagsThem) {
  auto out = runStage("type: normalize\ndefault_region: CN\nfields: {email: email, phone: phone}\n",
                      {customer({{"email", "not-an-email"}, {"phone", "12345"}})});
  EXPECT_EQ(out[0].get("email"), "not-an-email");
  EXPECT_EQ(out[0].get("phone"), "12345");
  ASSERT_EQ(out[0].qualityFlags.size(), 2u);
  EXPECT_EQ(out[0].qualityFlags[0], "email: invalid email (no '@')");
  EXPECT_NE(out[0].qualityFlags[1].find("phone: invalid phone number"), std::string::npos);
}

TEST(NormalizeStage, KeepsTheExtensionInItsOwnField) {
  auto out = runStage("type: normalize\ndefault_region: US\nfields: {phone: phone}\n",
                      {customer({{"phone", "415-555-0100 x12"}})});
  EXPECT_EQ(out[0].get("phone"), "+14155550100");
  EXPECT_EQ(out[0].get("phone_ext"), "12");
}

TEST(NormalizeStage, ProcessesLargeBatchesInParallelWithTheSameResult) {
  std::vector<Record> records;
  for (int i = 0; i < 5000; ++i) {
    records.push_back(customer({{"phone", "138" + std::to_string(10000000 + i)}, {"email", "A" + std::to_string(i) + "@X.COM"}}));
  }
  auto out = runStage("type: normalize\ndefault_region: CN\nfields: {email: email, phone: phone}\n", records);
  ASSERT_EQ(out.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(out[static_cast<size_t>(i)].get("phone"), "+86138" + std::to_string(10000000 + i));
    ASSERT_EQ(out[static_cast<size_t>(i)].get("email"), "a" + std::to_string(i) + "@x.com");
  }
}

}  // namespace
}  // namespace crmsync::pipeline
