#include "crmsync/pipeline/summary.hpp"

#include <gtest/gtest.h>

namespace {

using crmsync::pipeline::RunResult;
using crmsync::pipeline::SourceStats;

RunResult result(int64_t interactions, int64_t unlinked) {
  RunResult r;
  r.runId = 3;
  r.store = "crm.db";
  r.seconds = 1.5;
  r.customers = 1234;
  SourceStats mail;
  mail.source = "mailbox";
  mail.connector = "email";
  mail.read = 10;
  mail.inserted = 10;
  mail.customers = 4;
  mail.interactions = interactions;
  r.sources.push_back(mail);
  r.interactions = interactions;
  r.unlinkedInteractions = unlinked;
  return r;
}

TEST(RunSummary, ShowsInteractionsOnlyWhenASourceHasThem) {
  const std::string without = crmsync::pipeline::formatRunSummary("crm", result(0, 0));
  EXPECT_EQ(without.find("interactions"), std::string::npos) << without;
  EXPECT_NE(without.find("golden customers: 1,234   store: crm.db"), std::string::npos) << without;

  const std::string with = crmsync::pipeline::formatRunSummary("crm", result(6, 2));
  EXPECT_NE(with.find("interactions\n"), std::string::npos) << with;
  EXPECT_NE(with.find("interactions: 6 (2 not linked to a customer)"), std::string::npos) << with;

  const auto j = crmsync::pipeline::runSummaryJson("crm", result(6, 2));
  EXPECT_EQ(j["interactions"], 6);
  EXPECT_EQ(j["unlinked_interactions"], 2);
  EXPECT_EQ(j["sources"][0]["interactions"], 6);
}

}  // namespace
