// The plugin reading XLSX workbooks written by openpyxl (and a few hand-zipped ones), through FakeHost.
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

using sdk::FakeHost;
using testing::jsonList;
using testing::logged;
using testing::recordWithKey;
using testing::run;
using testing::TempDir;

std::string fixture(const std::string& name) { return (testing::openpyxlFixtures() / name).string(); }

class SpreadsheetSourceXlsx : public ::testing::Test {
 protected:
  void readCustomers(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> config{{"path", fixture("customers.xlsx")}, {"key", jsonList({"客户编号"})}};
    for (auto& [k, v] : extra) config[k] = v;
    auto result = run(host_, config);
    ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  }
  const sdk::EmittedRecord& customer(const std::string& key) {
    const auto* r = recordWithKey(host_, key);
    if (!r) throw std::runtime_error("no record with key " + key);
    return *r;
  }

  FakeHost host_;
};

TEST_F(SpreadsheetSourceXlsx, ReadsTheFirstSheetByDefault) {
  readCustomers();
  ASSERT_EQ(host_.records().size(), 4u);
  EXPECT_EQ(host_.records()[0].origin, "customers.xlsx!客户:2");
  EXPECT_EQ(host_.records()[3].origin, "customers.xlsx!客户:5");
  EXPECT_TRUE(host_.rejected().empty());
}

TEST_F(SpreadsheetSourceXlsx, MapsChineseHeadersToCanonicalFields) {
  readCustomers();
  const auto& r = customer("C001");
  EXPECT_EQ(r.get("id"), "C001");
  EXPECT_EQ(r.get("name"), "张三");
  EXPECT_EQ(r.get("company"), "北京星辰科技有限公司");
  EXPECT_EQ(r.get("email"), "zhangsan@example.cn");
  EXPECT_TRUE(r.has("注册时间"));  // no synonym: kept under its header
}

TEST_F(SpreadsheetSourceXlsx, KeepsPhoneNumbersStoredAsNumbersIntact) {
  readCustomers();
  EXPECT_EQ(customer("C001").get("mobile"), "13800138000");
  EXPECT_EQ(customer("C002").get("mobile"), "8613900139000");
  EXPECT_EQ(customer("001234").get("mobile"), "+86 138-0013-8001");
  EXPECT_EQ(customer("C004").get("mobile"), "4915112345678");
}

TEST_F(SpreadsheetSourceXlsx, KeepsLeadingZerosOfTextCells) {
  readCustomers();
  EXPECT_EQ(customer("001234").get("id"), "001234");
}

TEST_F(SpreadsheetSourceXlsx, WritesDatesAndTimesAsIso8601) {
  readCustomers();
  const auto& r = customer("C001");
  EXPECT_EQ(r.get("birth_date"), "1985-03-12");         // custom yyyy-mm-dd
  EXPECT_EQ(r.get("注册时间"), "2023-05-06T14:30:00");  // custom with time
  EXPECT_EQ(r.get("签约日期"), "2022-11-30");           // built-in format 14
  EXPECT_EQ(r.get("下次回访"), "2024-07-01");           // custom with quoted 年月日
  EXPECT_EQ(r.get("通话时长"), "01:30:00");             // time of day only
  EXPECT_EQ(customer("C002").get("注册时间"), "2024-01-02T09:05:07");
  EXPECT_EQ(customer("C004").get("birth_date"), "1972-02-29");
  EXPECT_FALSE(customer("001234").get("birth_date").has_value());
}

TEST_F(SpreadsheetSourceXlsx, JoinsRichTextRunsAndKeepsSignificantSpaces) {
  readCustomers();
  EXPECT_EQ(customer("C001").get("备注"), "重要客户 VIP客户");
  EXPECT_EQ(customer("C002").get("备注"), "  前后有空格  ");
  EXPECT_EQ(customer("C004").get("备注"), "Zeile 1\nZeile 2");
}

TEST_F(SpreadsheetSourceXlsx, PrintsNumbersWithoutBinaryNoiseOrExponents) {
  readCustomers();
  EXPECT_EQ(customer("C001").get("积分"), "1200");
  EXPECT_EQ(customer("C002").get("积分"), "0.3");
  EXPECT_EQ(customer("001234").get("积分"), "1.5");
  EXPECT_EQ(customer("C004").get("积分"), "12345678901234");
  EXPECT_EQ(customer("C001").get("折扣"), "0.15");
}

TEST_F(SpreadsheetSourceXlsx, WritesBooleansAsTrueFalseAndFormulaErrorsAsNull) {
  readCustomers();
  EXPECT_EQ(customer("C001").get("VIP"), "TRUE");
  EXPECT_EQ(customer("C002").get("VIP"), "FALSE");
  EXPECT_TRUE(customer("001234").has("备注"));
  EXPECT_FALSE(customer("001234").get("备注").has_value());
}

TEST_F(SpreadsheetSourceXlsx, SelectsASheetByNameAndReadsItsSharedStrings) {
  readCustomers({{"sheet", "Leads"}, {"key", jsonList({"Customer ID"})}});
  ASSERT_EQ(host_.records().size(), 2u);
  const auto& r = customer("L-001");
  EXPECT_EQ(r.origin, "customers.xlsx!Leads:2");
  EXPECT_EQ(r.get("name"), "Anna Schmidt");
  EXPECT_EQ(r.get("email"), "anna@example.de");
  EXPECT_EQ(r.get("mobile"), "4917612345678");
  EXPECT_EQ(r.get("Created"), "2024-02-01");
  EXPECT_EQ(r.get("Notes"), "Key account");
  EXPECT_EQ(customer("L-002").get("name"), "赵六");
}

TEST_F(SpreadsheetSourceXlsx, FailsListingTheSheetsWhenTheSheetIsUnknown) {
  auto result = run(host_, {{"path", fixture("customers.xlsx")}, {"sheet", "Kontakte"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(result.error.find("customers.xlsx: no sheet named 'Kontakte'; the sheets are '客户', 'Leads'"),
            std::string::npos)
      << result.error;
}

TEST_F(SpreadsheetSourceXlsx, ReadsDatesOfA1904Workbook) {
  ASSERT_EQ(run(host_, {{"path", fixture("dates_1904.xlsx")}, {"key", jsonList({"ID"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host_.records().size(), 2u);
  EXPECT_EQ(customer("D1").get("Date"), "1904-01-01");
  EXPECT_EQ(customer("D1").get("DateTime"), "1904-01-01T06:00:00");
  EXPECT_EQ(customer("D2").get("Date"), "2024-02-29");
  EXPECT_EQ(customer("D2").get("DateTime"), "2024-02-29T23:59:59");
}

TEST_F(SpreadsheetSourceXlsx, KeepsExcelsFictitiousLeapDayOf1900) {
  ASSERT_EQ(run(host_, {{"path", fixture("serials_1900.xlsx")}, {"key", jsonList({"ID"})}}).status, CRMSYNC_OK);
  EXPECT_EQ(customer("S1").get("Date"), "1900-01-01");
  EXPECT_EQ(customer("S59").get("Date"), "1900-02-28");
  EXPECT_EQ(customer("S60").get("Date"), "1900-02-29");
  EXPECT_EQ(customer("S61").get("Date"), "1900-03-01");
  EXPECT_EQ(customer("S45292").get("Date"), "2024-01-01");
  EXPECT_EQ(customer("S45292").get("DateTime"), "2024-01-01T18:00:00");
}

TEST_F(SpreadsheetSourceXlsx, SkipsAnUnchangedWorkbookOnTheNextRun) {
  readCustomers();
  EXPECT_EQ(host_.records().size(), 4u);
  host_.clear();
  readCustomers();
  EXPECT_TRUE(host_.records().empty());
  EXPECT_TRUE(logged(host_, "customers.xlsx: unchanged, skipped"));
}

TEST_F(SpreadsheetSourceXlsx, ReadsAHandWrittenExportWithoutCellReferences) {
  TempDir dir;
  testing::HandWorkbook wb;
  wb.sharedStringsXml =
      "<si><t>客户编号</t></si><si><t>姓名</t></si><si><t>手机</t></si>"
      "<si><r><t>山田</t></r><r><t xml:space=\"preserve\"> 太郎</t></r>"
      "<rPh sb=\"0\" eb=\"2\"><t>ヤマダ</t></rPh></si>";
  wb.sheets = {{"Export", "worksheets/export.xml",
                "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c></row>"
                "<row><c t=\"inlineStr\"><is><t>J-1</t></is></c><c t=\"s\"><v>3</v></c><c><v>9012345678</v></c></row>"
                "<row><c t=\"inlineStr\"/><c t=\"inlineStr\"/><c t=\"inlineStr\"/></row>"
                "<row><c t=\"inlineStr\"><is><t>J-2</t></is></c><c t=\"inlineStr\"/><c t=\"inlineStr\"><is>"
                "<t>090-1234-5678</t></is></c></row>"}};
  wb.write(dir.file("sap.xlsx"));
  ASSERT_EQ(run(host_, {{"path", dir.file("sap.xlsx")}, {"key", jsonList({"id"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host_.records().size(), 2u);
  EXPECT_EQ(customer("J-1").origin, "sap.xlsx!Export:2");
  EXPECT_EQ(customer("J-1").get("name"), "山田 太郎");
  EXPECT_EQ(customer("J-1").get("mobile"), "9012345678");
  EXPECT_EQ(customer("J-2").origin, "sap.xlsx!Export:4");
  EXPECT_FALSE(customer("J-2").get("name").has_value());
  EXPECT_TRUE(logged(host_, "1 blank rows skipped"));
}

TEST_F(SpreadsheetSourceXlsx, RejectsARowWithAValueBeyondTheHeader) {
  TempDir dir;
  testing::HandWorkbook wb;
  wb.sheets = {{"S", "worksheets/sheet1.xml",
                "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ID</t></is></c>"
                "<c r=\"B1\" t=\"inlineStr\"><is><t>Name</t></is></c></row>"
                "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"D2\" t=\"inlineStr\"><is><t>stray, note</t></is></c></row>"
                "<row r=\"3\"><c r=\"A3\"><v>2</v></c><c r=\"B3\" t=\"inlineStr\"><is><t>ok</t></is></c></row>"}};
  wb.write(dir.file("w.xlsx"));
  ASSERT_EQ(run(host_, {{"path", dir.file("w.xlsx")}, {"key", jsonList({"ID"})}}).status, CRMSYNC_OK);
  EXPECT_EQ(host_.records().size(), 1u);
  ASSERT_EQ(host_.rejected().size(), 1u);
  EXPECT_EQ(host_.rejected()[0].origin, "w.xlsx!S:2");
  EXPECT_NE(host_.rejected()[0].reason.find("value in column D but the header (row 1) ends at column B"),
            std::string::npos)
      << host_.rejected()[0].reason;
  EXPECT_EQ(host_.rejected()[0].raw, "1,,,\"stray, note\"");
}

TEST_F(SpreadsheetSourceXlsx, FailsWhenTheHeaderRowIsEmpty) {
  TempDir dir;
  testing::HandWorkbook wb;
  wb.sheets = {{"S", "worksheets/sheet1.xml", "<row r=\"3\"><c r=\"A3\"><v>1</v></c></row>"}};
  wb.write(dir.file("h.xlsx"));
  auto result = run(host_, {{"path", dir.file("h.xlsx")}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_NE(result.error.find("h.xlsx!S: row 1 is empty"), std::string::npos) << result.error;
}

TEST_F(SpreadsheetSourceXlsx, FailsNamingTheFileWhenTheWorkbookIsDamaged) {
  TempDir dir;
  testing::writeZip(dir.file("nobook.xlsx"), {{"hello.txt", "not a workbook"}});
  auto result = run(host_, {{"path", dir.file("nobook.xlsx")}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_NE(result.error.find("nobook.xlsx"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("xl/workbook.xml is missing"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace crmsync::spreadsheet
