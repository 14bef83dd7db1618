// The demo files in pipelines/samples load as their README says, deliberate bad rows included.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace crmsync::spreadsheet {
namespace {

using sdk::FakeHost;
using testing::jsonList;
using testing::run;

const std::string kSamples = CRMSYNC_SOURCE_DIR "/pipelines/samples/";

TEST(SampleFiles, ChineseGbkContactsLoadWithTheirDeliberateRejects) {
  FakeHost host;
  auto result = run(host, {{"path", kSamples + "contacts_cn_gbk.csv"}, {"key", jsonList({"客户编号"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_TRUE(testing::logged(host, "encoding gb18030"));
  EXPECT_EQ(host.records().size(), 24u);
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_NE(host.rejected()[0].reason.find("columns, header has 6"), std::string::npos) << host.rejected()[0].reason;
  EXPECT_EQ(host.rejected()[0].origin, "contacts_cn_gbk.csv:26");
  EXPECT_EQ(host.rejected()[1].origin, "contacts_cn_gbk.csv:27");
  EXPECT_EQ(host.rejected()[1].reason, "key column '客户编号' is empty");
  const auto* zhang = testing::recordWithKey(host, "CN0001");
  ASSERT_NE(zhang, nullptr);
  EXPECT_EQ(zhang->get("name"), "张伟");
  EXPECT_EQ(zhang->get("mobile"), "138 0013 8000");
}

TEST(SampleFiles, EnglishContactsLoadWithTheirDeliberateRejects) {
  FakeHost host;
  auto result = run(host, {{"path", kSamples + "contacts_en.csv"}, {"key", jsonList({"Customer ID"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_TRUE(testing::logged(host, "encoding utf-8 (BOM)"));
  EXPECT_EQ(host.records().size(), 24u);
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_EQ(host.rejected()[0].origin, "contacts_en.csv:28");
  EXPECT_NE(host.rejected()[0].reason.find("row has 9 columns, header has 8"), std::string::npos);
  EXPECT_EQ(host.rejected()[1].origin, "contacts_en.csv:29");
  EXPECT_NE(host.rejected()[1].reason.find("duplicate key 'EN1004'"), std::string::npos);
  const auto* multiLine = testing::recordWithKey(host, "EN1007");
  ASSERT_NE(multiLine, nullptr);
  EXPECT_NE(multiLine->get("address")->find('\n'), std::string::npos);
}

TEST(SampleFiles, CustomersWorkbookLoads) {
  FakeHost host;
  auto result =
      run(host, {{"path", kSamples + "customers.xlsx"}, {"sheet", "Customers"}, {"key", jsonList({"客户编号"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_GE(host.records().size(), 10u);
  EXPECT_TRUE(host.rejected().empty());
  const auto* r = testing::recordWithKey(host, "CN0001");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->get("mobile"), "13800138000");
  ASSERT_TRUE(r->get("birth_date").has_value());
  EXPECT_EQ(r->get("birth_date")->size(), 10u);
}

TEST(SampleFiles, CustomersWorkbookMatchesTheScriptThatMadeIt) {
  testing::TempDir dir;
  const std::string cmd = std::string("'") + CRMSYNC_OPENPYXL_PYTHON + "' '" + kSamples + "make_customers_xlsx.py' '" +
                          dir.file("customers.xlsx") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto load = [](const std::string& path) {
    auto host = std::make_unique<FakeHost>();
    auto result = run(*host, {{"path", path}, {"sheet", "Customers"}, {"key", jsonList({"客户编号"})}});
    EXPECT_EQ(result.status, CRMSYNC_OK) << result.error;
    std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> out;
    for (const auto& r : host->records()) out.push_back(r.fields);
    return out;
  };
  EXPECT_EQ(load(kSamples + "customers.xlsx"), load(dir.file("customers.xlsx")));
}

}  // namespace
}  // namespace crmsync::spreadsheet
