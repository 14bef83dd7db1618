// The plugin reading CSV files, driven through its C descriptor by FakeHost as the engine would drive it.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace crmsync::spreadsheet {
namespace {

using sdk::FakeHost;
using testing::jsonList;
using testing::jsonMap;
using testing::logged;
using testing::recordWithKey;
using testing::run;
using testing::TempDir;

constexpr const char* kContacts =
    "Customer ID,First Name,Last Name,Company,Email,Phone,Country\r\n"
    "C001,Ada,Lovelace,Analytical Engines Ltd,ada@example.co.uk,+44 20 7946 0958,UK\r\n"
    "C002,Grace,Hopper,\"Navy, Inc.\",Grace.Hopper@Example.com,(212) 555-0142,US\r\n"
    "C003,Li,Lei,,lilei@example.cn,13800138000,CN\r\n";

TEST(SpreadsheetSourceCsv, EmitsOneRecordPerRowWithCanonicalFieldNames) {
  TempDir dir;
  FakeHost host;
  auto result = run(host, {{"path", dir.write("contacts.csv", kContacts)}, {"key", jsonList({"Customer ID"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 3u);
  const auto& r = host.records()[1];
  EXPECT_EQ(r.entity, "customer");
  EXPECT_EQ(r.sourceKey, "C002");
  EXPECT_EQ(r.origin, "contacts.csv:3");
  EXPECT_FALSE(r.updatedAt.has_value());
  EXPECT_EQ(r.get("id"), "C002");
  EXPECT_EQ(r.get("given_name"), "Grace");
  EXPECT_EQ(r.get("family_name"), "Hopper");
  EXPECT_EQ(r.get("company"), "Navy, Inc.");
  EXPECT_EQ(r.get("email"), "Grace.Hopper@Example.com");
  EXPECT_EQ(r.get("phone"), "(212) 555-0142");
  EXPECT_EQ(r.get("country"), "US");
  EXPECT_TRUE(host.rejected().empty());
}

TEST(SpreadsheetSourceCsv, KeepsLeadingZerosAndLongDigitStrings) {
  TempDir dir;
  FakeHost host;
  auto path =
      dir.write("ids.csv", "ID,Mobile,ZIP\n001234,13800138000,01067\n000000000000012345678,008613800138000,0\n");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"id"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[0].sourceKey, "001234");
  EXPECT_EQ(host.records()[0].get("mobile"), "13800138000");
  EXPECT_EQ(host.records()[0].get("postcode"), "01067");
  EXPECT_EQ(host.records()[1].get("id"), "000000000000012345678");
  EXPECT_EQ(host.records()[1].get("mobile"), "008613800138000");
}

TEST(SpreadsheetSourceCsv, StripsTheBomFromTheFirstHeader) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("bom.csv", std::string("\xEF\xBB\xBF") + kContacts);
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"Customer ID"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[0].get("id"), "C001");
  EXPECT_TRUE(logged(host, "encoding utf-8 (BOM)"));
}

TEST(SpreadsheetSourceCsv, ReadsGbkFilesFromChineseExcel) {
  TempDir dir;
  FakeHost host;
  auto path =
      dir.write("客户.csv", testing::toGb18030("客户编号,姓名,公司,手机,邮箱,城市\r\n"
                                               "K001,张三,北京星辰科技有限公司,138 0013 8000,zs@example.cn,北京\r\n"
                                               "K002,欧阳娜娜,\"上海，东方\",+86 139-0013-9000,,上海\r\n"));
  auto result = run(host, {{"path", path}, {"key", jsonList({"客户编号"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 2u);
  const auto* r = recordWithKey(host, "K002");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->origin, "客户.csv:3");
  EXPECT_EQ(r->get("name"), "欧阳娜娜");
  EXPECT_EQ(r->get("company"), "上海，东方");
  EXPECT_EQ(r->get("mobile"), "+86 139-0013-9000");
  EXPECT_FALSE(r->get("email").has_value());
  EXPECT_EQ(r->get("city"), "上海");
  EXPECT_TRUE(logged(host, "encoding gb18030"));
}

TEST(SpreadsheetSourceCsv, ReadsGbkWhenTheEncodingIsSet) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("k.csv", testing::toGb18030("编号,姓名\n1,模\n"));
  ASSERT_EQ(run(host, {{"path", path}, {"encoding", "gbk"}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].get("name"), "模");
}

TEST(SpreadsheetSourceCsv, RejectsRowsWithBytesThatAreNotUtf8WhenUtf8IsSet) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("mixed.csv", "id,name,city\n1,Zoë,Köln\n2," + testing::toGb18030("张三") + ",x\n3,Bo,Ulm\n");
  ASSERT_EQ(run(host, {{"path", path}, {"encoding", "utf-8"}, {"key", jsonList({"id"})}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 2u);
  ASSERT_EQ(host.rejected().size(), 1u);
  const auto& bad = host.rejected()[0];
  EXPECT_EQ(bad.origin, "mixed.csv:3");
  EXPECT_NE(bad.reason.find("column 2 ('name') holds bytes that are not valid UTF-8"), std::string::npos) << bad.reason;
  EXPECT_EQ(bad.raw, "2,\\xD5\\xC5\\xC8\\xFD,x");
}

TEST(SpreadsheetSourceCsv, HonoursTheSepLineAndCountsItInLineNumbers) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("eu.csv", "sep=;\r\nKundennr;Name;Umsatz\r\nD1;Jürgen;1,5\r\n");
  ASSERT_EQ(run(host, {{"path", path}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].origin, "eu.csv:3");
  EXPECT_EQ(host.records()[0].get("Umsatz"), "1,5");
  EXPECT_EQ(host.records()[0].get("name"), "Jürgen");
}

TEST(SpreadsheetSourceCsv, SniffsSemicolonsAndTabs) {
  TempDir dir;
  FakeHost host;
  dir.write("a.csv", "Name;Email;Betrag\nA;a@x.de;1,50\nB;b@x.de;2,75\n");
  dir.write("b.tsv", "Name\tEmail\nC\tc@x.de\n");
  ASSERT_EQ(run(host, {{"path", dir.path().string()}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[1].get("Betrag"), "2,75");
  EXPECT_EQ(host.records()[2].get("email"), "c@x.de");
  EXPECT_TRUE(logged(host, "delimiter semicolon"));
  EXPECT_TRUE(logged(host, "delimiter tab"));
}

TEST(SpreadsheetSourceCsv, UsesTheConfiguredDelimiter) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("p.csv", "Name|Note\nA|x, y; z\n");
  ASSERT_EQ(run(host, {{"path", path}, {"delimiter", "|"}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].get("Note"), "x, y; z");
}

TEST(SpreadsheetSourceCsv, GivesEachRecordTheLineWhereItStarts) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("multi.csv",
                        "id,address\n1,\"Flat 2\n10 Downing St\nLondon\"\n\n2,\"Unter den Linden 1\r\nBerlin\"\n3,x");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"id"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[0].origin, "multi.csv:2");
  EXPECT_EQ(host.records()[0].get("address"), "Flat 2\n10 Downing St\nLondon");
  EXPECT_EQ(host.records()[1].origin, "multi.csv:6");
  EXPECT_EQ(host.records()[2].origin, "multi.csv:8");
}

TEST(SpreadsheetSourceCsv, RejectsRowsWithTheWrongColumnCountAndLoadsTheRest) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("bad.csv", "a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n1,2,3,4,5\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,,\n");
  ASSERT_EQ(run(host, {{"path", path}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 2u);  // the last row only has trailing empty fields
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_EQ(host.rejected()[0].origin, "bad.csv:3");
  EXPECT_EQ(host.rejected()[0].reason, "row has 5 columns, header has 7");
  EXPECT_EQ(host.rejected()[0].raw, "1,2,3,4,5");
  EXPECT_EQ(host.rejected()[1].origin, "bad.csv:4");
  EXPECT_NE(host.rejected()[1].reason.find("row has 8 columns, header has 7"), std::string::npos);
}

TEST(SpreadsheetSourceCsv, RejectsRowsWithoutAKeyValue) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("k.csv", "客户编号,姓名\nK1,张三\n ,李四\n,王五\n");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"id"})}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 1u);
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_EQ(host.rejected()[0].origin, "k.csv:3");
  EXPECT_EQ(host.rejected()[0].reason, "key column '客户编号' is empty");
  EXPECT_EQ(host.rejected()[0].raw, " ,李四");
  EXPECT_FALSE(host.rejected()[0].sourceKey.has_value());
}

TEST(SpreadsheetSourceCsv, RejectsDuplicateKeysWithinAFileAndKeepsTheFirst) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("d.csv", "ID,Name\nA1,First\nA2,Other\nA1,Second\n");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"ID"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(recordWithKey(host, "A1")->get("name"), "First");
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, "d.csv:4");
  EXPECT_EQ(host.rejected()[0].sourceKey, "A1");
  EXPECT_NE(host.rejected()[0].reason.find("duplicate key 'A1' in this file (first on d.csv:2"), std::string::npos);
}

TEST(SpreadsheetSourceCsv, JoinsSeveralKeyColumnsWithAPipe) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("c.csv", "Company,Email,Name\nAcme,a@acme.com,A\nAcme,b@acme.com,B\n");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"company", "Email"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[0].sourceKey, "Acme|a@acme.com");
  EXPECT_EQ(host.records()[1].sourceKey, "Acme|b@acme.com");
}

TEST(SpreadsheetSourceCsv, KeysByFileNameAndLineWhenNoKeyIsSetAndWarnsAboutIt) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("nokey.csv", "Name\nA\nB\n");
  ASSERT_EQ(run(host, {{"path", path}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[1].sourceKey, "nokey.csv:3");
  bool warned = false;
  for (const auto& l : host.logs()) {
    warned |= l.level == CRMSYNC_LOG_WARN && l.message.find("no `key` set") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(SpreadsheetSourceCsv, FailsNamingTheFileAndItsHeadersWhenAKeyColumnIsMissing) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("h.csv", "Name,Email\nA,a@x\n");
  auto result = run(host, {{"path", path}, {"key", jsonList({"Customer ID"})}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(result.error.find("h.csv"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("'Customer ID'"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("'Name', 'Email'"), std::string::npos) << result.error;
  EXPECT_FALSE(host.cursor().has_value());
}

TEST(SpreadsheetSourceCsv, AppliesTheColumnsMapBeforeTheSynonyms) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("m.csv", "Tel,VIP Level,Internal\n123,Gold,secret\n");
  ASSERT_EQ(run(host, {{"path", path},
                       {"columns", jsonMap({{"Tel", "mobile"}, {"VIP Level", "intent_level"}, {"Internal", ""}})}})
                .status,
            CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  const auto& r = host.records()[0];
  EXPECT_EQ(r.get("mobile"), "123");
  EXPECT_FALSE(r.has("phone"));
  EXPECT_EQ(r.get("intent_level"), "Gold");
  EXPECT_FALSE(r.has("Internal"));
  EXPECT_EQ(r.fields.size(), 2u);
}

TEST(SpreadsheetSourceCsv, EmitsEmptyCellsAsNullFields) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("n.csv", "Name,Email,Phone\nA,,\"\"\n");
  ASSERT_EQ(run(host, {{"path", path}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_TRUE(host.records()[0].has("email"));
  EXPECT_FALSE(host.records()[0].get("email").has_value());
  EXPECT_FALSE(host.records()[0].get("phone").has_value());
}

TEST(SpreadsheetSourceCsv, TakesUpdatedAtFromTheConfiguredColumn) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("u.csv", "ID,Modified\n1,2024-05-01T08:12:44\n2,\n");
  ASSERT_EQ(run(host, {{"path", path}, {"key", jsonList({"ID"})}, {"updated_at_column", "Modified"}}).status,
            CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[0].updatedAt, "2024-05-01T08:12:44");
  EXPECT_FALSE(host.records()[1].updatedAt.has_value());
}

TEST(SpreadsheetSourceCsv, UsesTheConfiguredEntity) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("o.csv", "order_no,total\nSO-1,9.90\n");
  ASSERT_EQ(run(host, {{"path", path}, {"entity", "order"}, {"key", jsonList({"order_no"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].entity, "order");
  EXPECT_EQ(host.records()[0].get("total"), "9.90");
}

TEST(SpreadsheetSourceCsv, EmitsInBatchesOfBatchSize) {
  TempDir dir;
  FakeHost host;
  std::string csv = "n\n";
  for (int i = 0; i < 12; ++i) csv += std::to_string(i) + "\n";
  ASSERT_EQ(run(host, {{"path", dir.write("b.csv", csv)}, {"batch_size", "5"}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 12u);
  EXPECT_EQ(host.emitCalls(), 3u);
  EXPECT_EQ(host.records()[11].get("n"), "11");
}

TEST(SpreadsheetSourceCsv, SkipsRowsAboveTheHeaderRow) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("t.csv", "Customer export,,\nGenerated 2024-05-01,,\nID,Name,Email\n1,A,a@x\n");
  ASSERT_EQ(run(host, {{"path", path}, {"header_row", "3"}, {"key", jsonList({"ID"})}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].origin, "t.csv:4");
  EXPECT_EQ(host.records()[0].get("email"), "a@x");
}

TEST(SpreadsheetSourceCsv, RejectsARecordWhoseQuoteIsNeverClosed) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("q.csv", "id,name\n1,ok\n2,\"broken\n3,lost\n");
  ASSERT_EQ(run(host, {{"path", path}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 1u);
  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, "q.csv:3");
  EXPECT_NE(host.rejected()[0].reason.find("never closed"), std::string::npos);
}

TEST(SpreadsheetSourceCsv, SkipsAnUnchangedFileOnTheNextRun) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("contacts.csv", kContacts);
  std::map<std::string, std::string> config{{"path", path}, {"key", jsonList({"Customer ID"})}};
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 3u);
  ASSERT_TRUE(host.cursor().has_value());
  EXPECT_NE(host.cursor()->find(std::filesystem::absolute(path).string()), std::string::npos) << *host.cursor();

  host.clear();
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());
  EXPECT_EQ(host.emitCalls(), 0u);
  EXPECT_TRUE(logged(host, "contacts.csv: unchanged, skipped"));
  ASSERT_TRUE(host.cursor().has_value());
  EXPECT_NE(host.cursor()->find("contacts.csv"), std::string::npos);  // still remembered

  // Rows appended to the file: only they are read, with their own line numbers.
  host.clear();
  dir.write("contacts.csv", std::string(kContacts) + "C004,Alan,Turing,,alan@example.org,,UK\r\n");
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].sourceKey, "C004");
  EXPECT_EQ(host.records()[0].origin, "contacts.csv:5");
  EXPECT_TRUE(logged(host, "appended to since the last run"));

  // A change before the end: the whole file again.
  host.clear();
  std::string edited = std::string(kContacts) + "C004,Alan,Turing,,alan@example.org,,UK\r\nC005,Grace,Hopper,,,,US\r\n";
  edited[edited.find("C001") + 5] = 'X';
  dir.write("contacts.csv", edited);
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 5u);
}

TEST(SpreadsheetSourceCsv, ReadsTheWholeFileWhenTheLastRowWasUnfinished) {
  TempDir dir;
  FakeHost host;
  auto path = dir.write("c.csv", "id,name\n1,Ada\n2,Al");  // no line break: the last row may still grow
  std::map<std::string, std::string> config{{"path", path}};
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  host.clear();
  dir.write("c.csv", "id,name\n1,Ada\n2,Alan\n3,Grace\n");
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[1].get("name"), "Alan");
}

TEST(SpreadsheetSourceCsv, RereadsUnchangedFilesWhenSkipUnchangedIsOff) {
  TempDir dir;
  FakeHost host;
  std::map<std::string, std::string> config{{"path", dir.write("c.csv", kContacts)}, {"skip_unchanged", "false"}};
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  host.clear();
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 3u);
}

TEST(SpreadsheetSourceCsv, RereadsUnchangedFilesWhenSettingsThatShapeRecordsChange) {
  TempDir dir;
  FakeHost host;
  std::map<std::string, std::string> config{{"path", dir.write("c.csv", kContacts)}};
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  host.clear();
  config["batch_size"] = "2";  // does not change records: still skipped
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());
  host.clear();
  config["columns"] = jsonMap({{"Phone", "mobile"}});
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[0].get("mobile"), "+44 20 7946 0958");
  EXPECT_TRUE(logged(host, "settings changed since the last run"));
}

TEST(SpreadsheetSourceCsv, ReadsOnlyTheChangedFilesOfAFolder) {
  TempDir dir;
  FakeHost host;
  dir.write("a.csv", "ID,Name\nA1,Alice\n");
  dir.write("b.csv", "ID,Name\nB1,Bob\n");
  std::map<std::string, std::string> config{{"path", dir.path().string()}, {"key", jsonList({"ID"})}};
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[0].origin, "a.csv:2");  // files in name order
  EXPECT_EQ(host.records()[1].origin, "b.csv:2");

  host.clear();
  dir.write("b.csv", "ID,Name\nB1,Bobby\n");
  dir.write("c.csv", "ID,Name\nC1,Carol\n");
  ASSERT_EQ(run(host, config).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[0].get("name"), "Bobby");
  EXPECT_EQ(host.records()[1].get("name"), "Carol");
  EXPECT_TRUE(logged(host, "a.csv: unchanged, skipped"));
}

TEST(SpreadsheetSourceCsv, CommitsNoCursorWhenAFileCannotBeRead) {
  TempDir dir;
  FakeHost host;
  dir.write("a.csv", "ID,Name\nA1,Alice\n");
  dir.write("b.xlsx", "this is not a workbook");
  auto result = run(host, {{"path", dir.path().string()}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_NE(result.error.find("b.xlsx"), std::string::npos) << result.error;
  EXPECT_FALSE(host.cursor().has_value());
}

TEST(SpreadsheetSourceCsv, FailsWithAnIoErrorNamingAMissingFile) {
  FakeHost host;
  auto result = run(host, {{"path", "/nonexistent/in/contacts.csv"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_IO);
  EXPECT_NE(result.error.find("/nonexistent/in/contacts.csv"), std::string::npos);
}

TEST(SpreadsheetSourceCsv, FailsNamingTheFileWhenItHasNoHeaderRow) {
  TempDir dir;
  FakeHost host;
  auto result = run(host, {{"path", dir.write("short.csv", "a,b\n")}, {"header_row", "4"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_NE(result.error.find("short.csv: no header in row 4"), std::string::npos) << result.error;
}

TEST(SpreadsheetSourceCsv, WarnsAboutAnEmptyFileAndRemembersIt) {
  TempDir dir;
  FakeHost host;
  ASSERT_EQ(run(host, {{"path", dir.write("empty.csv", "")}}).status, CRMSYNC_OK);
  EXPECT_TRUE(host.records().empty());
  EXPECT_TRUE(logged(host, "empty file"));
  EXPECT_TRUE(host.cursor().has_value());
}

TEST(SpreadsheetSourceCsv, RejectsConfigValuesItDoesNotKnow) {
  FakeHost host;
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{{"encoding", "latin1"},
                                                                            {"format", "ods"},
                                                                            {"delimiter", ";;"},
                                                                            {"header_row", "0"},
                                                                            {"batch_size", "0"},
                                                                            {"key", "not json"},
                                                                            {"skip_unchanged", "maybe"}}) {
    auto result = run(host, {{"path", "/tmp"}, {key, value}});
    EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG) << key;
    EXPECT_NE(result.error.find(key), std::string::npos) << key << ": " << result.error;
  }
}

TEST(SpreadsheetSourceCsv, StopsWhenTheHostCancels) {
  TempDir dir;
  FakeHost host;
  std::string csv = "n\n";
  for (int i = 0; i < 100; ++i) csv += std::to_string(i) + "\n";
  host.cancelAfterEmits(1);
  auto result = run(host, {{"path", dir.write("big.csv", csv)}, {"batch_size", "10"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_EQ(host.records().size(), 10u);
  EXPECT_FALSE(host.cursor().has_value());
}

}  // namespace
}  // namespace crmsync::spreadsheet
