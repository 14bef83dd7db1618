#include "call_legs.hpp"

#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

Leg leg(const std::string& key, int64_t end, uint64_t offset, bool isNew = true) {
  Leg l;
  l.key = key;
  l.start = end - 10;
  l.end = end;
  l.offset = offset;
  l.line = offset + 1;
  l.isNew = isNew;
  return l;
}

TEST(CallGrouper, ClosesACallOnceTheFileHasMovedAWindowPastIt) {
  std::vector<std::pair<std::string, size_t>> closed;
  CallGrouper g(100, [&](std::vector<Leg>& legs) { closed.emplace_back(legs.front().key, legs.size()); });
  g.add(leg("a", 1000, 0));
  g.add(leg("b", 1050, 1));
  g.add(leg("a", 1060, 2));
  EXPECT_TRUE(closed.empty());
  g.add(leg("c", 1161, 3));  // 1161 - 100 > 1060 (a's latest): a and b close, in the order they ended
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0], std::make_pair(std::string("b"), size_t{1}));
  EXPECT_EQ(closed[1], std::make_pair(std::string("a"), size_t{2}));
  auto oldest = g.oldestOpen();
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->first, 3u);
  g.finish();
  EXPECT_EQ(closed.size(), 3u);
  EXPECT_FALSE(g.oldestOpen());
}

TEST(CallGrouper, DropsCallsWithNothingNew) {
  std::vector<std::string> closed;
  CallGrouper g(100, [&](std::vector<Leg>& legs) { closed.push_back(legs.front().key); });
  g.add(leg("old", 1000, 0, false));
  g.add(leg("grown", 1000, 1, false));
  g.add(leg("grown", 1010, 2, true));
  g.finish();
  EXPECT_EQ(closed, std::vector<std::string>{"grown"});
}

TEST(CallGrouper, HoldsNoMoreThanItsLimitOfOpenCalls) {
  size_t closed = 0;
  CallGrouper g(1'000'000, [&](std::vector<Leg>&) { ++closed; });
  for (size_t i = 0; i < CallGrouper::kMaxOpen + 10; ++i) g.add(leg("k" + std::to_string(i), 1000, i));
  EXPECT_EQ(g.openCalls(), CallGrouper::kMaxOpen);
  EXPECT_EQ(closed, 10u);
}

}  // namespace
}  // namespace crmsync::phone
