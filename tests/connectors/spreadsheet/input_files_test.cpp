#include "input_files.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace crmsync::spreadsheet {
namespace {

using testing::TempDir;

std::vector<std::string> names(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(fileName(p));
  return out;
}

TEST(InputFiles, ListsAFolderInNameOrderSkippingLockHiddenAndOtherFiles) {
  TempDir dir;
  for (const char* n : {"b.csv", "a.xlsx", "~$a.xlsx", ".hidden.csv", "notes.txt", "C.TSV", "report.pdf"}) {
    dir.write(n, "x");
  }
  std::filesystem::create_directory(dir.path() / "sub.csv");
  EXPECT_EQ(names(listInputFiles(dir.path().string(), FileFormat::Auto)),
            (std::vector<std::string>{"C.TSV", "a.xlsx", "b.csv"}));
  EXPECT_EQ(names(listInputFiles(dir.path().string(), FileFormat::Csv)),
            (std::vector<std::string>{"C.TSV", "b.csv", "notes.txt"}));
  EXPECT_EQ(names(listInputFiles(dir.path().string(), FileFormat::Xlsx)), (std::vector<std::string>{"a.xlsx"}));
}

TEST(InputFiles, ExpandsAGlob) {
  TempDir dir;
  for (const char* n : {"2024-02.csv", "2024-01.csv", "other.xlsx"}) dir.write(n, "x");
  EXPECT_EQ(names(listInputFiles((dir.path() / "2024-*.csv").string(), FileFormat::Auto)),
            (std::vector<std::string>{"2024-01.csv", "2024-02.csv"}));
  EXPECT_TRUE(listInputFiles((dir.path() / "none-*.csv").string(), FileFormat::Auto).empty());
}

TEST(InputFiles, TakesAPlainFileAsItIs) {
  TempDir dir;
  std::string p = dir.write("export.dat", "x");
  EXPECT_EQ(listInputFiles(p, FileFormat::Auto), (std::vector<std::string>{p}));
}

TEST(InputFiles, ReportsAMissingPathByName) {
  try {
    listInputFiles("/nonexistent/contacts.csv", FileFormat::Auto);
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_IO);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/contacts.csv"), std::string::npos);
  }
}

TEST(InputFiles, DetectsTheFormatByContentAndExtension) {
  EXPECT_EQ(detectFormat("a.csv", "id,name", FileFormat::Auto), FileFormat::Csv);
  EXPECT_EQ(detectFormat("a.xlsx", "PK\x03\x04", FileFormat::Auto), FileFormat::Xlsx);
  EXPECT_EQ(detectFormat("export", "PK\x03\x04", FileFormat::Auto), FileFormat::Xlsx);
  EXPECT_EQ(detectFormat("data.txt", "id;name", FileFormat::Csv), FileFormat::Csv);
  EXPECT_THROW(detectFormat("a.xlsx", "id,name", FileFormat::Auto), sdk::Error);
  EXPECT_THROW(detectFormat("a.csv", "PK\x03\x04", FileFormat::Csv), sdk::Error);
}

TEST(InputFiles, RefusesOldXlsWorkbooksWithAHint) {
  try {
    detectFormat("old.xls", std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), FileFormat::Auto);
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_UNSUPPORTED);
    EXPECT_NE(std::string(e.what()).find("save it as .xlsx"), std::string::npos);
  }
}

}  // namespace
}  // namespace crmsync::spreadsheet
