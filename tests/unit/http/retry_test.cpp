#include "crmsync/http/retry.hpp"

#include <gtest/gtest.h>

namespace crmsync::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2015-10-21T07:28:00Z, the date RFC 9110 uses in its examples.
const system_clock::time_point kNow = system_clock::time_point(seconds(1445412480));

TEST(Retry, RetriesTimeoutsRateLimitsAndServerErrorsOnly) {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(isRetryableStatus(s)) << s;
  for (long s : {200L, 301L, 400L, 401L, 403L, 404L, 501L}) EXPECT_FALSE(isRetryableStatus(s)) << s;
}

TEST(Retry, BackoffGrowsExponentiallyWithFullJitterUpToTheCap) {
  RetryPolicy p;
  p.baseDelay = milliseconds(100);
  p.maxDelay = milliseconds(1000);
  std::mt19937_64 rng(7);
  milliseconds maxSeen[6] = {};
  for (int i = 0; i < 2000; ++i) {
    for (int retry = 1; retry <= 5; ++retry) {
      milliseconds d = backoffDelay(p, retry, rng);
      long long cap = std::min(1000LL, 100LL << (retry - 1));
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d.count(), cap) << "retry " << retry;
      maxSeen[retry] = std::max(maxSeen[retry], d);
    }
  }
  // Full jitter reaches close to each cap, so the exponent really grows.
  EXPECT_GT(maxSeen[1].count(), 90);
  EXPECT_GT(maxSeen[3].count(), 360);
  EXPECT_GT(maxSeen[5].count(), 900);
}

TEST(Retry, ParsesRetryAfterSecondsAndHttpDates) {
  EXPECT_EQ(parseRetryAfter("120", kNow), milliseconds(120'000));
  EXPECT_EQ(parseRetryAfter(" 1 ", kNow), milliseconds(1000));
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", kNow), milliseconds(30'000));
  EXPECT_EQ(parseRetryAfter("Wednesday, 21-Oct-15 07:29:00 GMT", kNow), milliseconds(60'000));
  EXPECT_EQ(parseRetryAfter("Wed Oct 21 07:28:05 2015", kNow), milliseconds(5'000));
  EXPECT_EQ(parseRetryAfter("Tue, 20 Oct 2015 07:28:00 GMT", kNow), milliseconds(0));  // in the past
  EXPECT_EQ(parseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("", kNow), std::nullopt);
}

TEST(Retry, PausesOnlyWhenTheRateLimitIsUsedUp) {
  EXPECT_EQ(rateLimitPause("3", "10", kNow), std::nullopt);
  EXPECT_EQ(rateLimitPause("0", "10", kNow), milliseconds(10'000));  // delta seconds
  EXPECT_EQ(rateLimitPause("0", "1445412490", kNow), milliseconds(10'000));  // Unix time
  EXPECT_EQ(rateLimitPause("0", "1445412000", kNow), milliseconds(0));       // already reset
  EXPECT_EQ(rateLimitPause("0", "", kNow), std::nullopt);
}

}  // namespace
}  // namespace crmsync::http
