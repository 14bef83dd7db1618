#include "mapped_file.hpp"

#include "test_support.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

TEST(MappedFile, ExposesTheWholeFile) {
  testing::TempDir dir;
  MappedFile f(dir.write("a.csv", std::string("id\0x\n", 5)));
  EXPECT_EQ(f.bytes(), std::string_view("id\0x\n", 5));
}

TEST(MappedFile, MapsAnEmptyFileToNoBytes) {
  testing::TempDir dir;
  MappedFile f(dir.write("empty.csv", ""));
  EXPECT_EQ(f.size(), 0u);
  EXPECT_TRUE(f.bytes().empty());
}

TEST(MappedFile, FailsWithAnIoErrorNamingTheFile) {
  testing::TempDir dir;
  try {
    MappedFile f(dir.file("missing.csv"));
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_IO);
    EXPECT_NE(std::string(e.what()).find("missing.csv: cannot open: No such file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MappedFile(dir.path().string()), sdk::Error);
}

TEST(MappedFile, MovesOwnershipOfTheMapping) {
  testing::TempDir dir;
  MappedFile a(dir.write("a.csv", "abc"));
  MappedFile b(std::move(a));
  EXPECT_EQ(b.bytes(), "abc");
  EXPECT_TRUE(a.bytes().empty());  // NOLINT(bugprone-use-after-move): moved-from state is part of the contract
}

}  // namespace
}  // namespace crmsync::spreadsheet
