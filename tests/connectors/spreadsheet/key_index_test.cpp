#include "key_index.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crmsync::spreadsheet {
namespace {

TEST(KeyIndex, ReturnsThePositionOfTheFirstOccurrenceOfARepeatedKey) {
  KeyIndex index;
  EXPECT_FALSE(index.insert("C001", 2).has_value());
  EXPECT_FALSE(index.insert("C002", 3).has_value());
  EXPECT_EQ(index.insert("C001", 9), 2u);
  EXPECT_EQ(index.insert("C001", 12), 2u);
  EXPECT_EQ(index.size(), 2u);
}

TEST(KeyIndex, TellsApartKeysThatDifferOnlySlightly) {
  KeyIndex index;
  EXPECT_FALSE(index.insert("", 1).has_value());
  EXPECT_FALSE(index.insert("a|b", 2).has_value());
  EXPECT_FALSE(index.insert("a|b ", 3).has_value());
  EXPECT_FALSE(index.insert("张三", 4).has_value());
  EXPECT_EQ(index.insert("", 5), 1u);
}

TEST(KeyIndex, KeepsEveryKeyWhileGrowing) {
  KeyIndex index;
  for (uint64_t i = 0; i < 100000; ++i) ASSERT_FALSE(index.insert("K" + std::to_string(i), i).has_value());
  for (uint64_t i = 0; i < 100000; i += 997) EXPECT_EQ(index.insert("K" + std::to_string(i), 0), i);
  EXPECT_EQ(index.size(), 100000u);
}

}  // namespace
}  // namespace crmsync::spreadsheet
