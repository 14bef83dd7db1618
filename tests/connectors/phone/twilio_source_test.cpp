// The phone source on Twilio's Calls API: against a loopback server through the engine's real host table and
// HTTP service (retries, Retry-After), and against FakeHost's canned answers for what a server rarely does.
#include <crmsync/sdk/fake_host.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "crmsync/plugin/host_context.hpp"
#include "twilio_server.hpp"
#include "unit/plugin/recording_context.hpp"

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t, uint16_t);

namespace crmsync::phone {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using plugin::testing::RecordingContext;
using plugin::testing::SeenRecord;
using testing::TwilioServer;

struct RunResult {
  crmsync_status status = CRMSYNC_OK;
  std::string error;
};

// One run of the plugin through the engine's host table, as the pipeline runner drives a source: defaults
// applied, open, read, close; the staged cursor is committed only when read succeeded.
RunResult runThroughEngine(RecordingContext& ctx, const std::map<std::string, std::string>& config) {
  const crmsync_plugin_descriptor* d = crmsync_plugin_entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  std::map<std::string, std::string> full;
  for (size_t i = 0; i < d->config_key_count; ++i) {
    if (d->config_keys[i].default_value) full[d->config_keys[i].name] = d->config_keys[i].default_value;
  }
  for (const auto& [k, v] : config) full[k] = v;
  std::vector<crmsync_config_entry> entries;
  for (const auto& [k, v] : full) entries.push_back({k.c_str(), v.c_str()});
  void* instance = nullptr;
  crmsync_status st = d->open(plugin::hostApi(), ctx.handle(), entries.data(), entries.size(), &instance);
  if (st != CRMSYNC_OK) return {st, d->last_error(nullptr) ? d->last_error(nullptr) : ""};
  ctx.staged.reset();
  st = d->read(instance);
  RunResult result{st, st == CRMSYNC_OK ? "" : d->last_error(instance)};
  d->close(instance);
  if (st == CRMSYNC_OK && ctx.staged) ctx.committed = ctx.staged;
  return result;
}

std::map<std::string, std::string> config(const TwilioServer& server, const std::string& token = TwilioServer::kToken) {
  return {{"format", "twilio"},      {"base_url", server.baseUrl()}, {"account_sid", TwilioServer::kAccount},
          {"auth_token", token},     {"page_size", "2"},             {"internal", R"(["+14155550000"])"}};
}

std::vector<SeenRecord> interactions(const RecordingContext& ctx) {
  std::vector<SeenRecord> out;
  for (const auto& r : ctx.records) {
    if (r.entity == "interaction") out.push_back(r);
  }
  return out;
}

const SeenRecord* findRecord(const RecordingContext& ctx, const std::string& entity, const std::string& key) {
  for (const auto& r : ctx.records) {
    if (r.entity == entity && r.sourceKey == key) return &r;
  }
  return nullptr;
}

std::string sid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "CA%032d", n);
  return buf;
}

void fillFiveCalls(TwilioServer& server) {
  server.putCall(sid(1), "+14155551001", "+14155550000", "inbound", "completed", "2024-04-20 08:00:00", "31",
                 "2024-04-20 08:01:00");
  server.putCall(sid(2), "+14155550000", "+442079460958", "outbound-api", "no-answer", "2024-04-28 09:00:00", "0",
                 "2024-04-28 09:01:00");
  server.putCall(sid(3), "+14155551003", "+14155550000", "inbound", "in-progress", "2024-05-01 10:00:00", "",
                 "2024-05-01 10:00:05");
  server.putCall(sid(4), "+14155550000", "+14155551004", "outbound-dial", "busy", "2024-04-30 11:00:00", "0",
                 "2024-04-30 11:00:20");
  server.putCall(sid(5), "+14155551001", "+14155550000", "inbound", "completed", "2024-04-29 12:00:00", "75",
                 "2024-04-29 12:02:00");
}

TEST(TwilioSource, PagesThroughEveryCallWithBasicAuthAndRidesOutA429) {
  TwilioServer server;
  fillFiveCalls(server);
  server.throttleOnce();
  RecordingContext ctx;
  auto result = runThroughEngine(ctx, config(server));
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 4u);  // pages 0, 1 (429, then again), 2
  EXPECT_EQ(seen[0].query, "PageSize=2");
  EXPECT_EQ(seen[1].status, 429);
  EXPECT_THAT(seen[2].query, HasSubstr("Page=1&PageToken=PA1x2"));
  EXPECT_EQ(seen[2].status, 200);
  EXPECT_THAT(seen[3].query, HasSubstr("Page=2&PageToken=PA2x2"));

  auto calls = interactions(ctx);
  ASSERT_EQ(calls.size(), 5u);
  const SeenRecord* in = findRecord(ctx, "interaction", sid(1));
  ASSERT_TRUE(in);
  EXPECT_EQ(in->get("channel"), "phone");
  EXPECT_EQ(in->get("direction"), "in");
  EXPECT_EQ(in->get("party_phone"), "+14155551001");
  EXPECT_EQ(in->get("occurred_at"), "2024-04-20T08:00:00Z");
  EXPECT_EQ(in->get("duration_s"), "31");
  EXPECT_EQ(in->get("outcome"), "answered");
  EXPECT_EQ(in->updatedAt, "2024-04-20T08:01:00Z");
  EXPECT_EQ(in->origin, server.baseUrl() + "/2010-04-01/Accounts/" + TwilioServer::kAccount + "/Calls/" + sid(1) + ".json");
  const SeenRecord* out = findRecord(ctx, "interaction", sid(2));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->get("direction"), "out");
  EXPECT_EQ(out->get("party_phone"), "+442079460958");
  EXPECT_EQ(out->get("outcome"), "no_answer");
  EXPECT_EQ(findRecord(ctx, "interaction", sid(3))->get("outcome"), "in_progress");
  EXPECT_FALSE(findRecord(ctx, "interaction", sid(3))->get("duration_s"));
  EXPECT_EQ(findRecord(ctx, "interaction", sid(4))->get("outcome"), "busy");
  // Four outside numbers, +14155551001 twice: each customer once, before its first interaction.
  size_t customers = 0;
  for (size_t i = 0; i < ctx.records.size(); ++i) {
    if (ctx.records[i].entity != "customer") continue;
    ++customers;
    std::string phone = *ctx.records[i].get("phone");
    for (size_t j = 0; j < i; ++j) EXPECT_NE(ctx.records[j].get("party_phone"), phone);
  }
  EXPECT_EQ(customers, 4u);
  ASSERT_TRUE(ctx.committed);
  EXPECT_THAT(*ctx.committed, HasSubstr("\"newest_start\":\"2024-05-01T10:00:00Z\""));
  EXPECT_THAT(*ctx.committed, Not(HasSubstr(TwilioServer::kToken)));
}

TEST(TwilioSource, RereadsTheOverlapAndUpdatesACallThatCompletedSince) {
  TwilioServer server;
  fillFiveCalls(server);
  RecordingContext ctx;
  ASSERT_EQ(runThroughEngine(ctx, config(server)).status, CRMSYNC_OK);
  ASSERT_EQ(findRecord(ctx, "interaction", sid(3))->get("outcome"), "in_progress");

  server.putCall(sid(3), "+14155551003", "+14155550000", "inbound", "completed", "2024-05-01 10:00:00", "42",
                 "2024-05-01 10:00:47");
  server.putCall(sid(6), "+14155551006", "+14155550000", "inbound", "completed", "2024-05-02 08:00:00", "12",
                 "2024-05-02 08:00:15");
  ctx.records.clear();
  auto before = server.requests().size();
  ASSERT_EQ(runThroughEngine(ctx, config(server)).status, CRMSYNC_OK);
  auto seen = server.requests();
  ASSERT_GT(seen.size(), before);
  // Newest start was 2024-05-01 10:00 GMT; two days of overlap: from 2024-04-29.
  EXPECT_EQ(seen[before].query, "PageSize=2&StartTime%3E=2024-04-29");

  auto calls = interactions(ctx);
  std::map<std::string, int> perSid;
  for (const auto& c : calls) ++perSid[c.sourceKey];
  EXPECT_EQ(perSid, (std::map<std::string, int>{{sid(3), 1}, {sid(4), 1}, {sid(5), 1}, {sid(6), 1}}));
  const SeenRecord* completed = findRecord(ctx, "interaction", sid(3));
  EXPECT_EQ(completed->get("outcome"), "answered");
  EXPECT_EQ(completed->get("duration_s"), "42");
  EXPECT_EQ(completed->updatedAt, "2024-05-01T10:00:47Z");
  EXPECT_THAT(*ctx.committed, HasSubstr("\"newest_start\":\"2024-05-02T08:00:00Z\""));
}

TEST(TwilioSource, RefusedCredentialsStopTheRunWithAClearErrorAndNoSecret) {
  TwilioServer server;
  fillFiveCalls(server);
  RecordingContext ctx;
  const std::string wrong = "not-the-token-93ab";
  auto result = runThroughEngine(ctx, config(server, wrong));
  EXPECT_EQ(result.status, CRMSYNC_ERR_AUTH);
  EXPECT_THAT(result.error, HasSubstr("twilio: the Calls API at " + server.baseUrl() +
                                      " refused the credentials of account " + TwilioServer::kAccount));
  EXPECT_THAT(result.error, HasSubstr("HTTP 401, Twilio error 20003: Authenticate"));
  EXPECT_THAT(result.error, HasSubstr("check account_sid and auth_token"));
  EXPECT_THAT(result.error, Not(HasSubstr(wrong)));
  for (const auto& [level, line] : ctx.logs) {
    EXPECT_THAT(line, Not(HasSubstr(wrong)));
    EXPECT_THAT(line, Not(HasSubstr(TwilioServer::kToken)));
  }
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_FALSE(ctx.committed);
}

TEST(TwilioSource, QuarantinesACallWithoutSidAndLoadsTheRest) {
  TwilioServer server;
  fillFiveCalls(server);
  server.putRaw({{"from", "+14155559999"}, {"to", "+14155550000"}, {"status", "completed"}, {"_start_gmt", "2024-04-01 00:00:00"}});
  RecordingContext ctx;
  ASSERT_EQ(runThroughEngine(ctx, config(server)).status, CRMSYNC_OK);
  EXPECT_EQ(interactions(ctx).size(), 5u);
  ASSERT_EQ(ctx.rejected.size(), 1u);
  EXPECT_EQ(ctx.rejected[0].first, "");
  EXPECT_EQ(ctx.rejected[0].second, "call has no sid");
}

TEST(TwilioSource, RefusesANextPageOutsideTheBaseUrl) {
  sdk::FakeHost host;
  host.queueHttpResponse(200, R"({"calls":[],"next_page_uri":"https://evil.example.com/steal"})");
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"},
                                                      {"base_url", "https://api.twilio.com/"},
                                                      {"account_sid", TwilioServer::kAccount},
                                                      {"auth_token", "t0k"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_THAT(result.error, HasSubstr("is not under base_url https://api.twilio.com"));
  ASSERT_EQ(host.httpCalls().size(), 1u);
  EXPECT_EQ(host.httpCalls()[0].url, std::string("https://api.twilio.com/2010-04-01/Accounts/") +
                                         TwilioServer::kAccount + "/Calls.json?PageSize=100");
  EXPECT_EQ(host.httpCalls()[0].header("Authorization"),
            "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0MGs=");
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
  EXPECT_FALSE(host.cursor());
}

TEST(TwilioSource, ReportsAServerThatKeepsFailing) {
  sdk::FakeHost host;
  host.queueHttpError(CRMSYNC_ERR_IO, "GET https://api.twilio.com/2010-04-01/... failed after 4 attempts: HTTP 503");
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"},
                                                      {"account_sid", TwilioServer::kAccount},
                                                      {"auth_token", "t0k"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_IO);
  EXPECT_THAT(result.error, HasSubstr("failed after 4 attempts: HTTP 503"));
}

TEST(TwilioSource, ReadsDirectionNameAndTrunkingCallsFromTheCallObject) {
  sdk::FakeHost host;
  host.queueHttpResponse(200, R"({"calls":[
    {"sid":"CA00000000000000000000000000000001","from":"+14155551001","to":"+14155550000","direction":"inbound",
     "status":"completed","start_time":"Tue, 30 Apr 2024 10:00:00 +0000","duration":"7","caller_name":"ACME CORP"},
    {"sid":"CA00000000000000000000000000000002","from":"+14155551002","to":"+14155557777",
     "direction":"trunking-terminating","status":"canceled","start_time":"Tue, 30 Apr 2024 11:00:00 +0000","duration":"0"},
    {"sid":"CA00000000000000000000000000000003","from":"+14155557777","to":"+442079460958",
     "direction":"trunking-originating","status":"ringing","start_time":"Tue, 30 Apr 2024 12:00:00 +0000"},
    {"sid":"CA00000000000000000000000000000004","from":"+14155550000","to":"+14155557777","direction":"outbound-dial",
     "status":"completed","start_time":"Tue, 30 Apr 2024 13:00:00 +0000","duration":"3",
     "parent_call_sid":"CA00000000000000000000000000000001"},
    {"sid":"CA00000000000000000000000000000005","from":"+14155551005","to":"+14155550000","direction":"inbound",
     "status":"completed","start_time":"30/04/2024 14:00"}],"next_page_uri":null})");
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"},
                                                      {"account_sid", TwilioServer::kAccount},
                                                      {"auth_token", "t0k"},
                                                      {"internal", R"(["+14155550000","+14155557777"])"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  auto get = [&](const std::string& sid) {
    for (const auto& r : host.records()) {
      if (r.entity == "interaction" && r.sourceKey == sid) return r;
    }
    ADD_FAILURE() << sid;
    return sdk::EmittedRecord{};
  };
  EXPECT_EQ(get("CA00000000000000000000000000000001").get("party_name"), "ACME CORP");
  EXPECT_EQ(get("CA00000000000000000000000000000002").get("direction"), "in");
  EXPECT_EQ(get("CA00000000000000000000000000000002").get("outcome"), "canceled");
  EXPECT_EQ(get("CA00000000000000000000000000000003").get("direction"), "out");
  EXPECT_EQ(get("CA00000000000000000000000000000003").get("party_phone"), "+442079460958");
  EXPECT_EQ(get("CA00000000000000000000000000000003").get("outcome"), "ringing");
  size_t interactions = 0;
  for (const auto& r : host.records()) interactions += r.entity == "interaction";
  EXPECT_EQ(interactions, 3u) << "the dial to an agent runs between two of our numbers";
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].sourceKey, "CA00000000000000000000000000000005");
  EXPECT_THAT(host.rejected()[0].reason, HasSubstr("unparseable start_time '30/04/2024 14:00'"));
  // The skipped internal call was read too: the cursor follows what the API returned.
  EXPECT_THAT(*host.cursor(), HasSubstr("\"newest_start\":\"2024-04-30T13:00:00Z\""));
}

TEST(TwilioSource, ExplainsARefusalWithoutATwilioBody) {
  sdk::FakeHost host;
  host.queueHttpResponse(403, "<html>Forbidden</html>");
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"},
                                                      {"account_sid", TwilioServer::kAccount},
                                                      {"auth_token", "t0k-secret"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_AUTH);
  EXPECT_THAT(result.error, HasSubstr("refused the credentials of account " + std::string(TwilioServer::kAccount) +
                                      " (HTTP 403); check account_sid and auth_token"));
  EXPECT_THAT(result.error, Not(HasSubstr("t0k-secret")));
}

TEST(TwilioSource, NeedsAnAccountAndAToken) {
  sdk::FakeHost host;
  auto result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"}, {"auth_token", "t0k"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'account_sid'"));
  result = host.runSource(crmsync_plugin_entry, {{"format", "twilio"}, {"account_sid", TwilioServer::kAccount}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("config key 'auth_token'"));
}

}  // namespace
}  // namespace crmsync::phone
