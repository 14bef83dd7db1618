#include "xlsx_reader.hpp"

#include "test_support.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

using testing::HandSheet;
using testing::HandWorkbook;
using testing::TempDir;

std::vector<XlsxRow> readAll(XlsxWorkbook& wb, const std::string& sheet) {
  std::vector<XlsxRow> rows;
  wb.readRows(wb.sheet(sheet), [&](const XlsxRow& r) { rows.push_back(r); });
  return rows;
}

TEST(XlsxReader, NamesColumnsLikeExcel) {
  EXPECT_EQ(columnName(0), "A");
  EXPECT_EQ(columnName(25), "Z");
  EXPECT_EQ(columnName(26), "AA");
  EXPECT_EQ(columnName(701), "ZZ");
  EXPECT_EQ(columnName(702), "AAA");
  EXPECT_EQ(columnOfCellRef("AB12"), 27u);
  EXPECT_EQ(columnOfCellRef("xfd1"), 16383u);
  EXPECT_FALSE(columnOfCellRef("12").has_value());
}

TEST(XlsxReader, FindsSheetsThroughTheWorkbookRelationships) {
  TempDir dir;
  HandWorkbook wb;
  // The first tab lives in sheet7.xml and the second in sheet1.xml: only the relationships tell.
  wb.sheets = {
      {"Kunden", "worksheets/sheet7.xml", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>kunden</t></is></c></row>"},
      {"Other", "worksheets/sheet1.xml", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>other</t></is></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  ASSERT_EQ(book.sheets().size(), 2u);
  EXPECT_EQ(book.sheets()[0].name, "Kunden");
  EXPECT_EQ(book.sheets()[0].part, "xl/worksheets/sheet7.xml");
  EXPECT_EQ(readAll(book, "Kunden")[0].cells[0], "kunden");
  EXPECT_EQ(readAll(book, "other")[0].cells[0], "other");  // sheet names match case-insensitively
}

TEST(XlsxReader, CountsPositionsWhenRowsAndCellsLackReferences) {
  TempDir dir;
  HandWorkbook wb;
  wb.sheets = {{"Data", "worksheets/sheet1.xml",
                "<row><c t=\"inlineStr\"><is><t>a</t></is></c><c t=\"inlineStr\"><is><t>b</t></is></c></row>"
                "<row><c><v>1</v></c><c r=\"D2\"><v>4</v></c><c><v>5</v></c></row>"
                "<row r=\"7\"><c><v>7</v></c></row>"
                "<row><c><v>8</v></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  auto rows = readAll(book, "Data");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].number, 1u);
  EXPECT_EQ(rows[0].cells, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows[1].number, 2u);
  EXPECT_EQ(rows[1].cells, (std::vector<std::string>{"1", "", "", "4", "5"}));
  EXPECT_EQ(rows[2].number, 7u);
  EXPECT_EQ(rows[3].number, 8u);
}

TEST(XlsxReader, ReadsInlineStringsIncludingEmptyAndRichOnes) {
  TempDir dir;
  HandWorkbook wb;
  wb.sheets = {{"S", "worksheets/sheet1.xml",
                "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"/><c r=\"B1\" t=\"inlineStr\"><is><t/></is></c>"
                "<c r=\"C1\" t=\"inlineStr\"><is><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r></is></c>"
                "<c r=\"D1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> </t></is></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  EXPECT_EQ(readAll(book, "S")[0].cells, (std::vector<std::string>{"", "", "张三", " "}));
}

TEST(XlsxReader, JoinsRichTextRunsAndSkipsPhoneticRunsInSharedStrings) {
  TempDir dir;
  HandWorkbook wb;
  wb.sharedStringsXml =
      "<si><t>plain</t></si>"
      "<si><r><rPr><b/></rPr><t>山田</t></r><r><t xml:space=\"preserve\"> 太郎</t></r>"
      "<rPh sb=\"0\" eb=\"2\"><t>ヤマダ</t></rPh><phoneticPr fontId=\"1\"/></si>"
      "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si>"
      "<si><t>line1_x000D__x000A_line2 a_x005F_x000D_b</t></si>";
  wb.sheets = {{"S", "worksheets/sheet1.xml",
                "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
                "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  EXPECT_EQ(readAll(book, "S")[0].cells,
            (std::vector<std::string>{"plain", "山田 太郎", "東京", "line1\r\nline2 a_x000D_b"}));
}

TEST(XlsxReader, ReadsFormulaStringsBooleansAndErrorsAndIsoDateCells) {
  TempDir dir;
  HandWorkbook wb;
  wb.sheets = {{"S", "worksheets/sheet1.xml",
                "<row r=\"1\"><c r=\"A1\" t=\"str\"><f>A2&amp;\"x\"</f><v>abc</v></c>"
                "<c r=\"B1\" t=\"b\"><v>1</v></c><c r=\"C1\" t=\"b\"><v>0</v></c>"
                "<c r=\"D1\" t=\"e\"><v>#DIV/0!</v></c><c r=\"E1\" t=\"d\"><v>2024-03-05T13:45:00Z</v></c>"
                "<c r=\"F1\"><f>1+1</f><v>2</v></c><c r=\"G1\" t=\"n\"><v>1.3800138E10</v></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  EXPECT_EQ(readAll(book, "S")[0].cells,
            (std::vector<std::string>{"abc", "TRUE", "FALSE", "", "2024-03-05T13:45:00", "2", "13800138000"}));
}

TEST(XlsxReader, TreatsCjkBuiltInAndCustomFormatsAsDates) {
  TempDir dir;
  HandWorkbook wb;
  wb.numFmtsXml =
      "<numFmt numFmtId=\"170\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
      "<numFmt numFmtId=\"171\" formatCode=\"0.00&quot;d&quot;\"/>";
  wb.cellXfsXml =
      "<xf numFmtId=\"0\"/><xf numFmtId=\"31\"/><xf numFmtId=\"32\"/><xf numFmtId=\"170\"/>"
      "<xf numFmtId=\"171\"/><xf numFmtId=\"22\"/>";
  wb.sheets = {{"S", "worksheets/sheet1.xml",
                "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45292</v></c><c r=\"B1\" s=\"2\"><v>0.5</v></c>"
                "<c r=\"C1\" s=\"3\"><v>45292</v></c><c r=\"D1\" s=\"4\"><v>45292</v></c>"
                "<c r=\"E1\" s=\"5\"><v>45292.25</v></c><c r=\"F1\" s=\"0\"><v>45292</v></c>"
                "<c r=\"G1\" s=\"99\"><v>45292</v></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  EXPECT_EQ(readAll(book, "S")[0].cells, (std::vector<std::string>{"2024-01-01", "12:00:00", "2024-01-01", "45292",
                                                                   "2024-01-01T06:00:00", "45292", "45292"}));
}

TEST(XlsxReader, UnderstandsNamespacePrefixedElements) {
  TempDir dir;
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  testing::writeZip(
      dir.file("prefixed.xlsx"),
      {{"_rels/.rels",
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
        "Id=\"R1\" Type=\"" +
            rel + "/officeDocument\" Target=\"/book/main.xml\"/></Relationships>"},
       {"book/main.xml",
        "<x:workbook xmlns:x=\"" + ns + "\" xmlns:rel=\"" + rel +
            "\"><x:sheets><x:sheet name=\"Export\" sheetId=\"1\" rel:id=\"S1\"/></x:sheets></x:workbook>"},
       {"book/_rels/main.xml.rels",
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"S1\" "
        "Type=\"" +
            rel + "/worksheet\" Target=\"../data/export.xml\"/></Relationships>"},
       {"data/export.xml", "<x:worksheet xmlns:x=\"" + ns +
                               "\"><x:sheetData><x:row><x:c t=\"inlineStr\"><x:is>"
                               "<x:t>ok</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"}});
  XlsxWorkbook book(dir.file("prefixed.xlsx"));
  ASSERT_EQ(book.sheets().size(), 1u);
  EXPECT_EQ(book.sheets()[0].part, "data/export.xml");
  EXPECT_EQ(readAll(book, "Export")[0].cells, (std::vector<std::string>{"ok"}));
}

TEST(XlsxReader, ReadsTheSheetListAndDateSystemOfAnOpenpyxlWorkbook) {
  XlsxWorkbook customers((testing::openpyxlFixtures() / "customers.xlsx").string());
  ASSERT_EQ(customers.sheets().size(), 2u);
  EXPECT_EQ(customers.sheets()[0].name, "客户");
  EXPECT_EQ(customers.sheets()[1].name, "Leads");
  EXPECT_FALSE(customers.date1904());
  XlsxWorkbook mac((testing::openpyxlFixtures() / "dates_1904.xlsx").string());
  EXPECT_TRUE(mac.date1904());
}

TEST(XlsxReader, ListsTheSheetsWhenAskedForOneThatDoesNotExist) {
  XlsxWorkbook customers((testing::openpyxlFixtures() / "customers.xlsx").string());
  try {
    customers.sheet("Kontakte");
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_CONFIG);
    EXPECT_NE(std::string(e.what()).find("'客户', 'Leads'"), std::string::npos) << e.what();
  }
}

TEST(XlsxReader, FailsNamingTheCellWhenASharedStringIndexIsOutOfRange) {
  TempDir dir;
  HandWorkbook wb;
  wb.sharedStringsXml = "<si><t>only</t></si>";
  wb.sheets = {{"S", "worksheets/sheet1.xml", "<row r=\"3\"><c r=\"B3\" t=\"s\"><v>5</v></c></row>"}};
  wb.write(dir.file("wb.xlsx"));
  XlsxWorkbook book(dir.file("wb.xlsx"));
  try {
    readAll(book, "S");
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_DATA);
    EXPECT_NE(std::string(e.what()).find("wb.xlsx!S:3: cell B3"), std::string::npos) << e.what();
  }
}

TEST(XlsxReader, FailsNamingTheFileWhenItIsNotAZip) {
  TempDir dir;
  std::string p = dir.write("broken.xlsx", "PK\x03\x04 but not really a zip");
  try {
    XlsxWorkbook book(p);
    FAIL() << "expected an error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_DATA);
    EXPECT_NE(std::string(e.what()).find("broken.xlsx"), std::string::npos);
  }
}

}  // namespace
}  // namespace crmsync::spreadsheet
