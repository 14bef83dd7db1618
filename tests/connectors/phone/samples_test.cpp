// The sample call log in pipelines/samples/phone holds what its README says.
#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

using ::testing::HasSubstr;
using testing::entities;
using testing::find;
using testing::runOk;

TEST(PhoneSamples, MasterCsvGivesFourCallsFourCallersAndOneQuarantinedRow) {
  const std::string path = CRMSYNC_SOURCE_DIR "/pipelines/samples/phone/Master.csv";
  sdk::FakeHost host;
  runOk(host, {{"path", path}, {"timezone", "Asia/Shanghai"}, {"internal", R"(["_2XXX","600"])"}});
  EXPECT_EQ(entities(host, "interaction").size(), 4u);
  EXPECT_EQ(entities(host, "customer").size(), 4u);
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, path + ":7");
  EXPECT_THAT(host.rejected()[0].reason, HasSubstr("wrong column count: 20 fields"));
  auto queued = find(host, "interaction", "1714958102.200");
  EXPECT_EQ(queued.get("legs"), "2");
  EXPECT_EQ(queued.get("duration_s"), "259");
  EXPECT_EQ(queued.get("party_name"), "张伟");
  EXPECT_EQ(find(host, "interaction", "1714959000.210").get("outcome"), "no_answer");
  EXPECT_EQ(find(host, "interaction", "1714960920.220").get("outcome"), "busy");
  EXPECT_EQ(find(host, "interaction", "1536293101.12458").get("occurred_at"), "2018-09-07T03:05:01Z");
}

}  // namespace
}  // namespace crmsync::phone
