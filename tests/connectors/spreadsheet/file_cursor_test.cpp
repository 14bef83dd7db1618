#include "file_cursor.hpp"

#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

TEST(FileCursor, RoundTripsThroughJson) {
  FileCursor c;
  c.set("/data/in/contacts.csv", {1234, 0x9f0c2d51a8e3b7c4ULL});
  c.set("/data/in/客户.xlsx", {7, 1});
  c.setSettings(42);
  std::string problem;
  FileCursor back = FileCursor::parse(c.toJson(), &problem);
  EXPECT_TRUE(problem.empty());
  EXPECT_EQ(back.size(), 2u);
  EXPECT_EQ(back.find("/data/in/contacts.csv"), (FileFingerprint{1234, 0x9f0c2d51a8e3b7c4ULL}));
  EXPECT_EQ(back.find("/data/in/客户.xlsx"), (FileFingerprint{7, 1}));
  EXPECT_EQ(back.settings(), 42u);
  EXPECT_NE(c.toJson().find("\"xxh3\":\"9f0c2d51a8e3b7c4\""), std::string::npos);
}

TEST(FileCursor, StartsEmptyWithoutAPreviousCursor) {
  std::string problem;
  EXPECT_EQ(FileCursor::parse(std::nullopt, &problem).size(), 0u);
  EXPECT_TRUE(problem.empty());
}

TEST(FileCursor, IgnoresACursorItCannotReadAndSaysSo) {
  for (const char* bad : {"not json", "[1,2]", "{\"version\":9,\"files\":{}}",
                          "{\"version\":1,\"files\":{\"a\":{\"size\":-1,\"xxh3\":\"00\"}}}",
                          "{\"version\":1,\"files\":{\"a\":{\"size\":1,\"xxh3\":\"zz\"}}}",
                          "{\"version\":1,\"settings\":7,\"files\":{}}"}) {
    std::string problem;
    EXPECT_EQ(FileCursor::parse(std::string(bad), &problem).size(), 0u) << bad;
    EXPECT_NE(problem.find("read again"), std::string::npos) << bad;
  }
}

TEST(FileCursor, FingerprintChangesWithContent) {
  EXPECT_EQ(fingerprint("abc"), fingerprint("abc"));
  EXPECT_NE(fingerprint("abc"), fingerprint("abd"));
  EXPECT_EQ(fingerprint("abc").size, 3u);
}

}  // namespace
}  // namespace crmsync::spreadsheet
