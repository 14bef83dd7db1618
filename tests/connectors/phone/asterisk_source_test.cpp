// The phone source on Asterisk Master.csv files, through its C entry point and FakeHost.
#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace crmsync::phone {
namespace {

using ::testing::HasSubstr;
using testing::entities;
using testing::find;
using testing::runOk;
using testing::ScratchDir;

// The example row of connector-formats.md, verbatim: 18 columns (loguniqueid and loguserfield).
const std::string kDocRow =
    R"("","2889","09243820431","pre-rec","""2889"" <2889>","SIP/2889-0000098e","Local/09243820431@default-000005a6;1","Dial","Local/09243820431@default,30,t","2018-09-07 11:05:01","2018-09-07 11:05:20","2018-09-07 11:05:20",19,0,"ANSWERED","DOCUMENTATION","1536293101.12458","")";

// One Master.csv row as cdr_csv writes it: strings quoted, numbers bare, a missing answer empty and unquoted.
struct Cdr {
  std::string src = "+14155550100";
  std::string dst = "2001";
  std::string dcontext = "from-trunk";
  std::string clid = "\"Alice Smith\" <+14155550100>";
  std::string channel = "SIP/trunk-00000001";
  std::string dstchannel = "SIP/2001-00000002";
  std::string lastdata = "SIP/2001,30,tT";
  std::string start = "2024-05-01 09:00:00";
  std::string answer = "2024-05-01 09:00:05";
  std::string end = "2024-05-01 09:01:05";
  int duration = 65;
  int billsec = 60;
  std::string disposition = "ANSWERED";
  std::string uniqueid = "1714554000.1";
  std::string linkedid = "1714554000.1";
  int sequence = 1;

  std::string line(int columns) const {
    auto q = [](const std::string& s) {
      std::string out = "\"";
      for (char c : s) {
        if (c == '"') out += '"';
        out += c;
      }
      return out + "\"";
    };
    std::string l = q("") + "," + q(src) + "," + q(dst) + "," + q(dcontext) + "," + q(clid) + "," + q(channel) + "," +
                    q(dstchannel) + "," + q("Dial") + "," + q(lastdata) + "," + q(start) + "," +
                    (answer.empty() ? std::string() : q(answer)) + "," + q(end) + "," + std::to_string(duration) + "," +
                    std::to_string(billsec) + "," + q(disposition) + "," + q("DOCUMENTATION");
    if (columns >= 17) l += "," + q(uniqueid);
    if (columns >= 18) l += "," + q("");
    if (columns == 21) l += "," + q("") + "," + q(linkedid) + "," + std::to_string(sequence);
    return l + "\n";
  }
};

Cdr call(int n, const std::string& start = "2024-05-01 09:00:00") {
  Cdr c;
  c.src = "+1415555" + std::to_string(1000 + n);
  c.clid = "\"Caller " + std::to_string(n) + "\" <" + c.src + ">";
  c.uniqueid = c.linkedid = "1714554000." + std::to_string(n);
  c.start = start;
  c.answer = start.substr(0, 17) + "05";
  c.end = start.substr(0, 14) + "59:59";
  return c;
}

std::map<std::string, std::string> config(const std::string& path) {
  return {{"path", path}, {"internal", R"(["_2XXX"])"}};
}

TEST(AsteriskSource, ReadsTheDocumentedExampleRow) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", kDocRow + "\n");
  sdk::FakeHost host;
  runOk(host, config(path));
  ASSERT_EQ(host.records().size(), 2u);
  // The outside party's customer comes before the interaction that refers to it.
  const auto& customer = host.records()[0];
  EXPECT_EQ(customer.entity, "customer");
  EXPECT_EQ(customer.sourceKey, "phone:09243820431");
  EXPECT_EQ(customer.get("phone"), "09243820431");
  EXPECT_FALSE(customer.has("name"));
  const auto& call = host.records()[1];
  EXPECT_EQ(call.entity, "interaction");
  EXPECT_EQ(call.sourceKey, "1536293101.12458");
  EXPECT_EQ(call.origin, path + ":1");
  EXPECT_EQ(call.get("channel"), "phone");
  EXPECT_EQ(call.get("direction"), "out");
  EXPECT_EQ(call.get("occurred_at"), "2018-09-07T11:05:01Z");
  EXPECT_EQ(call.get("duration_s"), "0");
  EXPECT_EQ(call.get("outcome"), "answered");
  EXPECT_EQ(call.get("party_phone"), "09243820431");
  EXPECT_FALSE(call.has("party_name"));  // the caller ID name is only the extension's number
  EXPECT_EQ(call.get("src"), "2889");
  EXPECT_EQ(call.get("dst"), "09243820431");
  EXPECT_EQ(call.get("context"), "pre-rec");
  EXPECT_EQ(call.get("disposition"), "ANSWERED");
  EXPECT_EQ(call.get("legs"), "1");
  EXPECT_TRUE(host.rejected().empty());
}

TEST(AsteriskSource, DetectsEachRowsColumnCount) {
  ScratchDir dir;
  std::string text;
  for (int columns : {16, 17, 18, 21}) text += call(columns).line(columns);
  std::string path = dir.write("Master.csv", text);
  sdk::FakeHost host;
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(host.rejected().empty());
  std::set<std::string> keys;
  for (const auto& c : calls) {
    keys.insert(c.sourceKey);
    EXPECT_EQ(c.get("direction"), "in");
    EXPECT_EQ(c.get("outcome"), "answered");
    EXPECT_EQ(c.get("duration_s"), "60");
  }
  EXPECT_TRUE(keys.count("1714554000.17"));
  EXPECT_TRUE(keys.count("1714554000.18"));
  EXPECT_TRUE(keys.count("1714554000.21"));
  // A 16-column row has no uniqueid: its key is a hash of the row, the same on every run.
  EXPECT_EQ(std::count_if(keys.begin(), keys.end(), [](const std::string& k) { return k.starts_with("row-"); }), 1);
}

TEST(AsteriskSource, HoldsEveryRowToTheConfiguredColumnCount) {
  for (int columns : {16, 17, 18, 21}) {
    ScratchDir dir;
    int other = columns == 21 ? 18 : 21;
    std::string path = dir.write("Master.csv", call(1).line(columns) + call(2).line(other) + call(3).line(columns));
    sdk::FakeHost host;
    auto cfg = config(path);
    cfg["columns"] = std::to_string(columns);
    runOk(host, cfg);
    EXPECT_EQ(entities(host, "interaction").size(), 2u) << columns;
    ASSERT_EQ(host.rejected().size(), 1u) << columns;
    EXPECT_EQ(host.rejected()[0].origin, path + ":2");
    EXPECT_THAT(host.rejected()[0].reason, HasSubstr("wrong column count: " + std::to_string(other) +
                                                     " fields, expected " + std::to_string(columns)));
  }
}

TEST(AsteriskSource, RefusesAColumnCountMasterCsvNeverHas) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1).line(18));
  sdk::FakeHost host;
  auto cfg = config(path);
  cfg["columns"] = "19";
  auto result = host.runSource(crmsync_plugin_entry, cfg);
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'columns': '19'"));
}

TEST(AsteriskSource, TakesTheCallerNameFromAQuotedClid) {
  ScratchDir dir;
  Cdr c = call(1);
  c.clid = "\"Pat O'Brien, Sales\" <+14155551001>";  // CSV-quoted: """Pat O'Brien, Sales"" <...>"
  c.lastdata = "SIP/2001,30,tT,M(whisper^1,2)";
  std::string path = dir.write("Master.csv", c.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  auto customer = find(host, "customer", "phone:+14155551001");
  EXPECT_EQ(customer.get("name"), "Pat O'Brien, Sales");
  auto interaction = find(host, "interaction", "1714554000.1");
  EXPECT_EQ(interaction.get("party_name"), "Pat O'Brien, Sales");
  EXPECT_EQ(interaction.get("party_phone"), "+14155551001");
  EXPECT_EQ(interaction.get("direction"), "in");
}

TEST(AsteriskSource, ReadsUnansweredCallsFromTheirDisposition) {
  ScratchDir dir;
  std::string text;
  const std::pair<const char*, const char*> cases[] = {
      {"NO ANSWER", "no_answer"}, {"BUSY", "busy"}, {"FAILED", "failed"}, {"CONGESTION", "failed"}};
  int n = 0;
  for (auto [disposition, outcome] : cases) {
    Cdr c = call(++n);
    c.answer = "";
    c.billsec = 0;
    c.duration = 25;
    c.start = "2024-05-01 09:00:00";
    c.end = "2024-05-01 09:00:25";
    c.disposition = disposition;
    text += c.line(21);
    (void)outcome;
  }
  ASSERT_NE(text.find("\"2024-05-01 09:00:00\",,\"2024-05-01 09:00:25\""), std::string::npos);
  std::string path = dir.write("Master.csv", text);
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_TRUE(host.rejected().empty());
  n = 0;
  for (auto [disposition, outcome] : cases) {
    auto c = find(host, "interaction", "1714554000." + std::to_string(++n));
    EXPECT_EQ(c.get("outcome"), outcome) << disposition;
    EXPECT_EQ(c.get("disposition"), disposition);
    EXPECT_EQ(c.get("duration_s"), "25");  // no answered leg: the call's total time
  }
}

TEST(AsteriskSource, GroupsLegsByLinkedid) {
  ScratchDir dir;
  // An inbound call rings a queue (leg 1, unanswered), then agent 2002 answers (leg 2); legs end together and
  // are logged one after the other, with an unrelated call in between.
  Cdr ring = call(1);
  ring.uniqueid = ring.linkedid = "1714554000.10";
  ring.dst = "600";
  ring.dstchannel = "Local/600@queues-0001;1";
  ring.answer = "";
  ring.billsec = 0;
  ring.disposition = "NO ANSWER";
  ring.start = "2024-05-01 09:00:00";
  ring.end = "2024-05-01 09:02:00";
  Cdr answered = ring;
  answered.uniqueid = "1714554000.11";
  answered.dst = "2002";
  answered.dstchannel = "SIP/2002-00000003";
  answered.start = "2024-05-01 09:00:10";
  answered.answer = "2024-05-01 09:00:20";
  answered.end = "2024-05-01 09:02:00";
  answered.billsec = 100;
  answered.disposition = "ANSWERED";
  answered.sequence = 2;
  std::string path = dir.write("Master.csv", answered.line(21) + call(2, "2024-05-01 09:01:00").line(21) + ring.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 2u);
  auto c = find(host, "interaction", "1714554000.10");
  EXPECT_EQ(c.get("legs"), "2");
  EXPECT_EQ(c.get("outcome"), "answered");
  EXPECT_EQ(c.get("duration_s"), "100");
  EXPECT_EQ(c.get("occurred_at"), "2024-05-01T09:00:00Z");
  EXPECT_EQ(c.get("direction"), "in");
  EXPECT_EQ(c.get("party_phone"), "+14155551001");
  EXPECT_EQ(c.get("dst"), "600");  // the originating leg's destination
  EXPECT_EQ(c.get("answered_channel"), "SIP/2002-00000003");
  EXPECT_EQ(c.origin, path + ":1");
}

TEST(AsteriskSource, TakesTheTalkTimeFromTheAgentLegNotTheQueueThatAnsweredFirst) {
  ScratchDir dir;
  // The queue answers the trunk at once (its billsec counts the wait); the agent answers 40 s later.
  Cdr queue = call(1);
  queue.dst = "600";
  queue.answer = "2024-05-01 09:00:01";
  queue.end = "2024-05-01 09:02:00";
  queue.billsec = 119;
  Cdr agent = queue;
  agent.uniqueid = "1714554000.2";
  agent.dst = "2002";
  agent.answer = "2024-05-01 09:00:41";
  agent.billsec = 79;
  agent.sequence = 2;
  std::string path = dir.write("Master.csv", agent.line(21) + queue.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  auto c = find(host, "interaction", "1714554000.1");
  EXPECT_EQ(c.get("duration_s"), "79");
  EXPECT_EQ(c.get("legs"), "2");
}

TEST(AsteriskSource, ConvertsLocalTimesInTheConfiguredZone) {
  ScratchDir dir;
  Cdr summer = call(1, "2024-07-15 09:00:00");
  Cdr winter = call(2, "2024-01-15 09:00:00");
  std::string path = dir.write("Master.csv", winter.line(21) + summer.line(21));
  sdk::FakeHost host;
  auto cfg = config(path);
  cfg["timezone"] = "America/New_York";
  runOk(host, cfg);
  EXPECT_EQ(find(host, "interaction", "1714554000.1").get("occurred_at"), "2024-07-15T13:00:00Z");
  EXPECT_EQ(find(host, "interaction", "1714554000.2").get("occurred_at"), "2024-01-15T14:00:00Z");
  EXPECT_EQ(find(host, "interaction", "1714554000.1").get("ended_at"), "2024-07-15T13:59:59Z");

  sdk::FakeHost shanghai;
  cfg["timezone"] = "Asia/Shanghai";
  runOk(shanghai, cfg);
  EXPECT_EQ(find(shanghai, "interaction", "1714554000.1").get("occurred_at"), "2024-07-15T01:00:00Z");
}

TEST(AsteriskSource, RefusesAnUnknownTimeZone) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1).line(21));
  sdk::FakeHost host;
  auto cfg = config(path);
  cfg["timezone"] = "Asia/Atlantis";
  auto result = host.runSource(crmsync_plugin_entry, cfg);
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'timezone': unknown time zone 'Asia/Atlantis'"));
}

TEST(AsteriskSource, SkipsCallsBetweenInternalPartiesUnlessKept) {
  ScratchDir dir;
  Cdr internal = call(1);
  internal.src = "2001";
  internal.clid = "\"Reception\" <2001>";
  internal.dst = "2002";
  Cdr outside = call(2);
  std::string path = dir.write("Master.csv", internal.line(21) + outside.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.2");
  EXPECT_EQ(entities(host, "customer").size(), 1u);

  sdk::FakeHost keep;
  auto cfg = config(path);
  cfg["internal_calls"] = "keep";
  runOk(keep, cfg);
  auto kept = find(keep, "interaction", "1714554000.1");
  EXPECT_EQ(kept.get("internal"), "true");
  EXPECT_EQ(entities(keep, "customer").size(), 1u);  // no customer for an extension
}

TEST(AsteriskSource, TellsDirectionFromInternalNumbersAndContexts) {
  ScratchDir dir;
  Cdr in = call(1);  // +1415... calls extension 2001
  Cdr out = call(2);
  out.src = "2001";
  out.clid = "\"Sales\" <2001>";
  out.dst = "+442079460958";
  Cdr fromContext = call(3);  // a softphone whose number the patterns do not cover, dialing from from-internal
  fromContext.src = "7777";
  fromContext.clid = "\"Home office\" <7777>";
  fromContext.dst = "+4930123456";
  fromContext.dcontext = "from-internal";
  std::string path = dir.write("Master.csv", in.line(21) + out.line(21) + fromContext.line(21));
  sdk::FakeHost host;
  auto cfg = config(path);
  cfg["internal_contexts"] = R"(["from-internal"])";
  runOk(host, cfg);
  auto a = find(host, "interaction", "1714554000.1");
  EXPECT_EQ(a.get("direction"), "in");
  EXPECT_EQ(a.get("party_phone"), "+14155551001");
  EXPECT_EQ(a.get("party_name"), "Caller 1");
  auto b = find(host, "interaction", "1714554000.2");
  EXPECT_EQ(b.get("direction"), "out");
  EXPECT_EQ(b.get("party_phone"), "+442079460958");
  EXPECT_FALSE(b.has("party_name"));  // the caller ID is ours, not the party's
  auto c = find(host, "interaction", "1714554000.3");
  EXPECT_EQ(c.get("direction"), "out");
  EXPECT_EQ(c.get("party_phone"), "+4930123456");
}

TEST(AsteriskSource, EmitsEachCallersCustomerOncePerRun) {
  ScratchDir dir;
  Cdr first = call(1);
  Cdr again = call(1, "2024-05-01 11:00:00");
  again.uniqueid = again.linkedid = "1714554000.99";
  std::string path = dir.write("Master.csv", first.line(21) + again.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_EQ(entities(host, "interaction").size(), 2u);
  EXPECT_EQ(entities(host, "customer").size(), 1u);
}

TEST(AsteriskSource, ReadsOnlyAppendedCallsOnTheNextRun) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1, "2024-05-01 09:00:00").line(21) +
                                                 call(2, "2024-05-01 11:00:00").line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_EQ(entities(host, "interaction").size(), 2u);

  host.clear();
  runOk(host, config(path));
  EXPECT_TRUE(host.records().empty()) << "nothing new, nothing emitted";

  dir.write("Master.csv", call(3, "2024-05-01 13:00:00").line(21), true);
  host.clear();
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.3");
  EXPECT_EQ(calls[0].origin, path + ":3");
  EXPECT_EQ(entities(host, "customer").size(), 1u);

  host.clear();
  runOk(host, config(path));
  EXPECT_TRUE(host.records().empty());
}

TEST(AsteriskSource, CompletesACallWhoseSecondLegComesInTheNextRun) {
  ScratchDir dir;
  Cdr first = call(1, "2024-05-01 09:00:00");
  first.uniqueid = first.linkedid = "1714554000.50";
  first.disposition = "NO ANSWER";
  first.answer = "";
  first.billsec = 0;
  Cdr second = first;
  second.uniqueid = "1714554000.51";
  second.answer = "2024-05-01 09:00:30";
  second.billsec = 90;
  second.disposition = "ANSWERED";
  std::string path = dir.write("Master.csv", call(7, "2024-05-01 08:00:00").line(21) + first.line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_EQ(find(host, "interaction", "1714554000.50").get("legs"), "1");
  EXPECT_EQ(find(host, "interaction", "1714554000.50").get("outcome"), "no_answer");

  dir.write("Master.csv", second.line(21), true);
  host.clear();
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u) << "one call, updated under the same key";
  EXPECT_EQ(calls[0].sourceKey, "1714554000.50");
  EXPECT_EQ(calls[0].get("legs"), "2");
  EXPECT_EQ(calls[0].get("outcome"), "answered");
  EXPECT_EQ(calls[0].get("duration_s"), "90");
  EXPECT_EQ(calls[0].origin, path + ":2");
  EXPECT_TRUE(host.rejected().empty());

  host.clear();
  runOk(host, config(path));
  EXPECT_TRUE(host.records().empty());
}

TEST(AsteriskSource, KeepsTheLegsOfACallTogetherWhenItsRowsAreDatedEarlierThanTheRowsBefore) {
  ScratchDir dir;
  Cdr late = call(1, "2024-05-03 10:00:00");
  Cdr agent = call(2, "2024-05-01 09:00:00");  // a clock set back: two days earlier than the row before
  agent.uniqueid = "1714554000.22";
  Cdr queue = call(2, "2024-05-01 09:00:00");
  queue.dst = "600";
  std::string path = dir.write("Master.csv", late.line(21) + agent.line(21) + queue.line(21) + call(3).line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  size_t emitted = 0;
  for (const auto& r : entities(host, "interaction")) emitted += r.sourceKey == "1714554000.2";
  EXPECT_EQ(emitted, 1u);
  EXPECT_EQ(find(host, "interaction", "1714554000.2").get("legs"), "2");
  EXPECT_EQ(entities(host, "interaction").size(), 3u);
}

TEST(AsteriskSource, LeavesAPartialLastLineForTheNextRun) {
  ScratchDir dir;
  std::string whole = call(2, "2024-05-01 11:00:00").line(21);
  std::string path = dir.write("Master.csv", call(1).line(21) + whole.substr(0, 40));
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_EQ(entities(host, "interaction").size(), 1u);
  EXPECT_TRUE(host.rejected().empty()) << "a line still being written is not bad input";

  dir.write("Master.csv", whole.substr(40), true);
  host.clear();
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.2");
  EXPECT_TRUE(host.rejected().empty());
}

TEST(AsteriskSource, ReadsATruncatedOrRotatedFileFromTheStart) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1).line(21) + call(2, "2024-05-01 11:00:00").line(21));
  sdk::FakeHost host;
  runOk(host, config(path));

  dir.write("Master.csv", call(3, "2024-05-02 09:00:00").line(21));  // rotated: a new, shorter file
  host.clear();
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.3");
  EXPECT_EQ(calls[0].origin, path + ":1");

  // Same length, other bytes: the fingerprint tells.
  std::string other = call(4, "2024-05-02 09:00:00").line(21);
  ASSERT_EQ(other.size(), call(3).line(21).size());
  dir.write("Master.csv", other);
  host.clear();
  runOk(host, config(path));
  calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.4");
}

TEST(AsteriskSource, QuarantinesBadRowsAndLoadsTheGoodOnesAround) {
  ScratchDir dir;
  Cdr badTime = call(3);
  badTime.start = "07/09/2018 11:05";
  std::string badQuote = call(4).line(21);
  badQuote.replace(badQuote.find("\"Dial\""), 6, "\"Di\"al\"");
  Cdr badNumber = call(5);
  std::string badNumberLine = badNumber.line(21);
  badNumberLine.replace(badNumberLine.find(",65,60,"), 7, ",65,sixty,");
  std::string text = call(1).line(21) + call(2).line(21).substr(0, call(2).line(21).rfind(',')) + "\n" +
                     badTime.line(21) + badQuote + badNumberLine + call(6).line(21);
  std::string path = dir.write("Master.csv", text);
  sdk::FakeHost host;
  runOk(host, config(path));
  auto calls = entities(host, "interaction");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].sourceKey, "1714554000.1");
  EXPECT_EQ(calls[1].sourceKey, "1714554000.6");
  const auto& rejected = host.rejected();
  ASSERT_EQ(rejected.size(), 4u);
  EXPECT_EQ(rejected[0].origin, path + ":2");
  EXPECT_THAT(rejected[0].reason, HasSubstr("wrong column count: 20 fields"));
  EXPECT_FALSE(rejected[0].sourceKey) << "a row of unknown layout has no key";
  EXPECT_EQ(rejected[1].origin, path + ":3");
  EXPECT_THAT(rejected[1].reason, HasSubstr("unparseable timestamp in start: '07/09/2018 11:05'"));
  EXPECT_EQ(rejected[1].sourceKey, "1714554000.3");
  EXPECT_EQ(rejected[1].raw, badTime.line(21).substr(0, badTime.line(21).size() - 1));
  EXPECT_EQ(rejected[2].origin, path + ":4");
  EXPECT_THAT(rejected[2].reason, HasSubstr("quote"));
  EXPECT_EQ(rejected[3].origin, path + ":5");
  EXPECT_THAT(rejected[3].reason, HasSubstr("billsec is not a whole number of seconds: 'sixty'"));

  // Bad rows are quarantined once: the next run re-reads the tail but does not reject them again.
  host.clear();
  runOk(host, config(path));
  EXPECT_TRUE(host.records().empty());
  EXPECT_TRUE(host.rejected().empty());
}

TEST(AsteriskSource, ReadsCallerNamesInTheConfiguredEncoding) {
  ScratchDir dir;
  Cdr gbk = call(1);
  gbk.clid = "\"\xD5\xC5\xCE\xB0\" <+14155551001>";  // 张伟 in GBK
  std::string path = dir.write("Master.csv", gbk.line(21));
  sdk::FakeHost host;
  auto cfg = config(path);
  cfg["encoding"] = "gb18030";
  runOk(host, cfg);
  EXPECT_EQ(find(host, "interaction", "1714554000.1").get("party_name"), "张伟");

  Cdr latin = call(2);
  latin.clid = "\"J\xFCrgen M\xFCller\" <+4930123456>";
  dir.write("Master.csv", latin.line(21));
  sdk::FakeHost latin1;
  cfg["encoding"] = "latin1";
  runOk(latin1, cfg);
  EXPECT_EQ(find(latin1, "interaction", "1714554000.2").get("party_name"), "Jürgen Müller");
}

TEST(AsteriskSource, ReplacesBytesThatAreNotUtf8AndSaysSo) {
  ScratchDir dir;
  Cdr stray = call(1);
  stray.clid = "\"J\xFCrgen\" <+4930123456>";
  std::string path = dir.write("Master.csv", stray.line(21) + call(2).line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  EXPECT_EQ(find(host, "interaction", "1714554000.1").get("party_name"), "J\xEF\xBF\xBDrgen");
  EXPECT_EQ(entities(host, "interaction").size(), 2u);
  bool warned = false;
  for (const auto& l : host.logs()) warned = warned || l.message.find(":1: bytes that are not UTF-8") != std::string::npos;
  EXPECT_TRUE(warned);

  auto cfg = config(path);
  cfg["encoding"] = "ebcdic";
  auto result = host.runSource(crmsync_plugin_entry, cfg);
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'encoding': 'ebcdic'"));
}

TEST(AsteriskSource, KeepsTheCursorOfTheLastCommittedRunWhenCancelled) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1).line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  auto committed = host.cursor();
  dir.write("Master.csv", call(2, "2024-05-01 11:00:00").line(21), true);
  host.clear();
  host.cancelAfterEmits(0);
  auto result = host.runSource(crmsync_plugin_entry, config(path));
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_EQ(host.cursor(), committed);
  host.cancelAfterEmits(-1);
  host.clear();
  runOk(host, config(path));
  ASSERT_EQ(entities(host, "interaction").size(), 1u);
  EXPECT_EQ(entities(host, "interaction")[0].sourceKey, "1714554000.2");
}

TEST(AsteriskSource, ReadsEverythingAgainWhenTheSettingsChange) {
  ScratchDir dir;
  std::string path = dir.write("Master.csv", call(1).line(21));
  sdk::FakeHost host;
  runOk(host, config(path));
  host.clear();
  auto cfg = config(path);
  cfg["timezone"] = "Asia/Shanghai";
  runOk(host, cfg);
  ASSERT_EQ(entities(host, "interaction").size(), 1u);
  EXPECT_EQ(entities(host, "interaction")[0].get("occurred_at"), "2024-05-01T01:00:00Z");
}

}  // namespace
}  // namespace crmsync::phone
