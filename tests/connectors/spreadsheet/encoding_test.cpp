#include "encoding.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

TEST(Encoding, AcceptsStrictUtf8) {
  EXPECT_TRUE(isValidUtf8("plain ASCII"));
  EXPECT_TRUE(isValidUtf8("张三 Müller 😀"));
}

TEST(Encoding, RejectsOverlongSurrogateAndOutOfRangeSequences) {
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("abc\xE4\xB8"));       // cut short
  EXPECT_EQ(scanUtf8("abcdefghij\xFFxyz").firstInvalid, 10u);
}

TEST(Encoding, StripsAUtf8Bom) {
  auto d = DecodedText::decode("\xEF\xBB\xBFid,name\n", TextEncoding::Auto);
  EXPECT_EQ(d.text(), "id,name\n");
  EXPECT_EQ(d.encodingName(), "utf-8 (BOM)");
  EXPECT_FALSE(d.rowsNeedUtf8Check());
}

TEST(Encoding, FallsBackToGb18030ForGbkBytes) {
  std::string gbk = testing::toGb18030("客户编号,姓名,城市\nC001,张三,北京\n");
  ASSERT_FALSE(isValidUtf8(gbk));
  auto d = DecodedText::decode(gbk, TextEncoding::Auto);
  EXPECT_EQ(d.encodingName(), "gb18030");
  EXPECT_EQ(d.text(), "客户编号,姓名,城市\nC001,张三,北京\n");
  EXPECT_EQ(d.substitutions(), 0u);
}

TEST(Encoding, DecodesGb18030WhenForcedEvenIfTheBytesAreValidUtf8) {
  // C4 A3 is U+0123 in UTF-8 and 模 in GBK: auto detection says UTF-8, the setting says otherwise.
  EXPECT_EQ(DecodedText::decode("\xC4\xA3", TextEncoding::Auto).text(), "ģ");
  auto d = DecodedText::decode("\xC4\xA3", TextEncoding::Gb18030);
  EXPECT_EQ(d.text(), "模");
  EXPECT_EQ(d.encodingName(), "gb18030");
}

TEST(Encoding, KeepsDeclaredUtf8WithBadBytesForRowChecks) {
  std::string bytes = "id,name\n1,ok\n2," + testing::toGb18030("张三") + "\n";
  auto forced = DecodedText::decode(bytes, TextEncoding::Utf8);
  EXPECT_EQ(forced.encodingName(), "utf-8");
  EXPECT_TRUE(forced.rowsNeedUtf8Check());
  EXPECT_EQ(forced.text(), bytes);
  auto bom = DecodedText::decode("\xEF\xBB\xBF" + bytes, TextEncoding::Auto);
  EXPECT_EQ(bom.encodingName(), "utf-8 (BOM)");
  EXPECT_TRUE(bom.rowsNeedUtf8Check());
}

TEST(Encoding, TreatsMostlyUtf8WithOneBadByteAsUtf8) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "张三,北京\n";
  text += "bad\xFF\n";
  auto d = DecodedText::decode(text, TextEncoding::Auto);
  EXPECT_EQ(d.encodingName(), "utf-8");
  EXPECT_TRUE(d.rowsNeedUtf8Check());
}

TEST(Encoding, DecodesUtf16LittleEndianWithBom) {
  std::string bytes = "\xFF\xFE";
  for (char c : std::string("a\tb\n")) {
    bytes += c;
    bytes += '\0';
  }
  bytes += "\x20\x5F";  // U+5F20 张
  auto d = DecodedText::decode(bytes, TextEncoding::Auto);
  EXPECT_EQ(d.encodingName(), "utf-16le");
  EXPECT_EQ(d.text(), "a\tb\n张");
}

TEST(Encoding, CountsBytesGb18030CannotMap) {
  auto d = DecodedText::decode("ok,\x81\x20x\n", TextEncoding::Gb18030);
  EXPECT_GT(d.substitutions(), 0u);
  EXPECT_NE(d.text().find("\xEF\xBF\xBD"), std::string_view::npos);
}

TEST(Encoding, EscapesInvalidBytesForQuarantine) { EXPECT_EQ(escapeInvalidUtf8("ab\xFF\xFE张"), "ab\\xFF\\xFE张"); }

TEST(Encoding, ParsesEncodingNames) {
  EXPECT_EQ(parseTextEncoding("AUTO"), TextEncoding::Auto);
  EXPECT_EQ(parseTextEncoding("UTF-8"), TextEncoding::Utf8);
  EXPECT_EQ(parseTextEncoding("gbk"), TextEncoding::Gb18030);
  EXPECT_EQ(parseTextEncoding("GB18030"), TextEncoding::Gb18030);
  EXPECT_FALSE(parseTextEncoding("latin1").has_value());
}

}  // namespace
}  // namespace crmsync::spreadsheet
