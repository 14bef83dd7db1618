// The phone source on FreeSWITCH mod_cdr_csv files, default and custom templates.
#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

using ::testing::HasSubstr;
using testing::entities;
using testing::find;
using testing::runOk;
using testing::ScratchDir;

// Rows as mod_cdr_csv's default template writes them: every value quoted.
const std::string kDefaultRows =
    R"("Alice Smith","+14155550100","2001","public","2024-05-01 09:00:00","2024-05-01 09:00:05","2024-05-01 09:01:05","65","60","NORMAL_CLEARING","0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0001","5a0d3e9e-7f6f-4c2b-8b2a-1e2d3c4b0002","","PCMU","PCMU")"
    "\n"
    R"("Sales","2001","+442079460958","default","2024-05-01 10:00:00","","2024-05-01 10:00:30","30","0","USER_BUSY","0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0003","","","PCMU","PCMU")"
    "\n"
    R"("+8613800138000","+8613800138000","2001","public","2024-05-01 11:00:00","","2024-05-01 11:00:20","20","0","ORIGINATOR_CANCEL","0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0004","","","PCMA","PCMA")"
    "\n";

TEST(FreeswitchSource, ReadsTheDefaultTemplate) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", kDefaultRows);
  sdk::FakeHost host;
  runOk(host, {{"format", "freeswitch"}, {"path", path}, {"internal", R"(["_2XXX"])"}, {"timezone", "Europe/London"}});
  EXPECT_TRUE(host.rejected().empty());
  ASSERT_EQ(entities(host, "interaction").size(), 3u);
  auto in = find(host, "interaction", "0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0001");
  EXPECT_EQ(in.get("direction"), "in");
  EXPECT_EQ(in.get("occurred_at"), "2024-05-01T08:00:00Z");  // BST, UTC+1
  EXPECT_EQ(in.get("outcome"), "answered");
  EXPECT_EQ(in.get("duration_s"), "60");
  EXPECT_EQ(in.get("party_phone"), "+14155550100");
  EXPECT_EQ(in.get("party_name"), "Alice Smith");
  EXPECT_EQ(in.get("disposition"), "NORMAL_CLEARING");
  EXPECT_EQ(in.get("source"), "freeswitch");
  EXPECT_EQ(in.origin, path + ":1");
  auto out = find(host, "interaction", "0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0003");
  EXPECT_EQ(out.get("direction"), "out");
  EXPECT_EQ(out.get("outcome"), "busy");
  EXPECT_EQ(out.get("party_phone"), "+442079460958");
  EXPECT_EQ(out.get("duration_s"), "30");
  auto canceled = find(host, "interaction", "0b6e4a4e-8d1e-4b7e-9a55-3f0f3c1d0004");
  EXPECT_EQ(canceled.get("outcome"), "canceled");
  EXPECT_FALSE(canceled.has("party_name"));  // the name is the number again
  EXPECT_EQ(find(host, "customer", "phone:+14155550100").get("name"), "Alice Smith");
  EXPECT_FALSE(find(host, "customer", "phone:+8613800138000").has("name"));
}

TEST(FreeswitchSource, ReadsACustomTemplate) {
  ScratchDir dir;
  std::string path = dir.write(
      "cdr.csv",
      R"("f00d0001","1714554000","1714554012","1714554072","+4930123456","2002","60","NORMAL_CLEARING","Jürgen Müller")"
      "\n"
      R"("f00d0002","1714557600","0","1714557620","+4930999999","2002","0","NO_ANSWER","")"
      "\n");
  sdk::FakeHost host;
  runOk(host, {{"format", "freeswitch"},
               {"path", path},
               {"internal", R"(["_2XXX"])"},
               {"template", R"(["${uuid}","${start_epoch}","${answer_epoch}","${end_epoch}","${caller_id_number}",)"
                            R"("${destination_number}","${billsec}","${hangup_cause}","${caller_id_name}"])"}});
  EXPECT_TRUE(host.rejected().empty());
  auto a = find(host, "interaction", "f00d0001");
  EXPECT_EQ(a.get("occurred_at"), "2024-05-01T09:00:00Z");
  EXPECT_EQ(a.get("outcome"), "answered");
  EXPECT_EQ(a.get("duration_s"), "60");
  EXPECT_EQ(a.get("party_name"), "Jürgen Müller");
  auto b = find(host, "interaction", "f00d0002");
  EXPECT_EQ(b.get("outcome"), "no_answer");
  EXPECT_EQ(b.get("duration_s"), "20");
}

TEST(FreeswitchSource, GroupsLegsByCallUuidAcrossRuns) {
  ScratchDir dir;
  const std::map<std::string, std::string> cfg = {
      {"format", "freeswitch"},
      {"internal", R"(["_2XXX"])"},
      {"template", R"(["uuid","call_uuid","caller_id_name","caller_id_number","destination_number","start_stamp",)"
                   R"("answer_stamp","end_stamp","duration","billsec","hangup_cause"])"}};
  // The b-leg (to agent 2002) ends and is logged first; the a-leg (from the caller) comes in the next run.
  std::string path = dir.write("Master.csv",
                               R"("bbbb0002","aaaa0001","Alice","+14155550100","2002","2024-05-01 09:00:02","2024-05-01 09:00:10","2024-05-01 09:02:00","118","110","NORMAL_CLEARING")"
                               "\n");
  auto withPath = cfg;
  withPath["path"] = path;
  sdk::FakeHost host;
  runOk(host, withPath);
  EXPECT_EQ(find(host, "interaction", "aaaa0001").get("legs"), "1");

  dir.write("Master.csv",
            R"("aaaa0001","aaaa0001","Alice","+14155550100","600","2024-05-01 09:00:00","2024-05-01 09:00:01","2024-05-01 09:02:00","120","119","NORMAL_CLEARING")"
            "\n",
            true);
  host.clear();
  runOk(host, withPath);
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "aaaa0001");
  EXPECT_EQ(calls[0].get("legs"), "2");
  EXPECT_EQ(calls[0].get("duration_s"), "110");  // the agent's leg, not the a-leg answered by the IVR
  EXPECT_EQ(calls[0].get("occurred_at"), "2024-05-01T09:00:00Z");
  EXPECT_EQ(calls[0].get("dst"), "600");
}

TEST(FreeswitchSource, QuarantinesRowsThatDoNotFitTheTemplate) {
  ScratchDir dir;
  std::string text = kDefaultRows;
  text.insert(text.find('\n') + 1, R"("Bob","+14155550199","2001","public","2024-05-01 09:30:00")" "\n");
  std::string path = dir.write("Master.csv", text);
  sdk::FakeHost host;
  runOk(host, {{"format", "freeswitch"}, {"path", path}, {"internal", R"(["_2XXX"])"}});
  EXPECT_EQ(entities(host, "interaction").size(), 3u);
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, path + ":2");
  EXPECT_THAT(host.rejected()[0].reason, HasSubstr("wrong column count: 5 fields, the template has 15"));
}

TEST(FreeswitchSource, RefusesATemplateWithoutAStartTime) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", kDefaultRows);
  sdk::FakeHost host;
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "freeswitch"}, {"path", path},
                                                      {"template", R"(["uuid","caller_id_number"])"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'template': the template has neither start_stamp nor start_epoch"));
}

}  // namespace
}  // namespace crmsync::phone
