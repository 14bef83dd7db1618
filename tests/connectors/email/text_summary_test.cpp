#include "subject.hpp"
#include "text_summary.hpp"

#include <gtest/gtest.h>

namespace crmsync::email {
namespace {

TEST(HtmlToText, KeepsVisibleTextAndBreaksBlocks) {
  EXPECT_EQ(collapseAndCut(htmlToText("<p>a&lt;b</p><br>c<script>x()</script><style>p{}</style>"), 100), "a<b c");
  EXPECT_EQ(htmlToText(""), "");
  EXPECT_EQ(collapseAndCut(htmlToText("<div>unclosed <b>tags"), 100), "unclosed tags");
}

TEST(CollapseAndCut, CollapsesUnicodeSpacesAndCountsCodePoints) {
  EXPECT_EQ(collapseAndCut("  a \t\n b\xC2\xA0" "c\xE3\x80\x80" "d  ", 100), "a b c d");
  EXPECT_EQ(collapseAndCut("ééééé", 3), "ééé");
  EXPECT_EQ(collapseAndCut("ab cd", 3), "ab");
}

TEST(NormalizedSubject, StripsReplyAndForwardPrefixes) {
  EXPECT_EQ(normalizedSubject("Re: RE: fwd: Hello  World"), "hello world");
  EXPECT_EQ(normalizedSubject("回复: 答复：转发: 报价"), "报价");
  EXPECT_EQ(normalizedSubject("AW: Re[3]: Angebot"), "angebot");
  EXPECT_EQ(normalizedSubject("Re:"), "");
  EXPECT_EQ(normalizedSubject("Reply needed"), "reply needed");  // a word that starts like a prefix stays
}

}  // namespace
}  // namespace crmsync::email
