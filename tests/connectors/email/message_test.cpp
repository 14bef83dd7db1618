// messageRecords on fixture messages: the header shapes real mail has, threading, direction and summaries.
#include "message.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace crmsync::email {
namespace {

using testing::base64;
using testing::encodeAs;

MessageOptions ours() {
  MessageOptions o;
  o.ownAddresses = {"sales@example.com"};
  o.ownDomains = {"example.com"};
  return o;
}

const sdk::Record& interaction(const MessageRecords& m) {
  for (const auto& r : m.records) {
    if (r.entity == "interaction") return r;
  }
  throw std::runtime_error("no interaction record; error: " + m.error);
}

std::optional<std::string> field(const sdk::Record& r, const char* name) {
  const auto* f = r.find(name);
  if (!f) return std::nullopt;
  return *f;
}

std::vector<std::pair<std::string, std::string>> customers(const MessageRecords& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : m.records) {
    if (r.entity == "customer") out.emplace_back(r.sourceKey, field(r, "name").value_or(""));
  }
  return out;
}

MessageRecords parse(const std::string& raw, const MessageOptions& options = ours()) {
  return messageRecords(raw, options, "test@0");
}

std::string withFrom(const std::string& from, const std::string& extraHeaders = "") {
  return "From: " + from + "\nTo: sales@example.com\nSubject: hello\nDate: Tue, 11 Mar 2025 09:31:25 +0800\n" +
         "Message-ID: <m1@example.org>\n" + extraHeaders + "\nbody\n";
}

TEST(MessageRecords, DecodesGb2312AndUtf8EncodedNames) {
  auto gb = parse(withFrom("=?GB2312?B?" + base64(encodeAs("张三", "GB2312")) + "?= <zhang@example.cn>"));
  EXPECT_EQ(field(interaction(gb), "party_name"), "张三");
  EXPECT_EQ(field(interaction(gb), "party_email"), "zhang@example.cn");
  auto utf8 = parse(withFrom("=?UTF-8?B?5byg5LiJ?= <zhang@example.cn>"));
  EXPECT_EQ(field(interaction(utf8), "party_name"), "张三");
  auto q = parse(withFrom("=?utf-8?q?Ren=C3=A9_Dupont?= <rene@example.fr>"));
  EXPECT_EQ(field(interaction(q), "party_name"), "René Dupont");
}

TEST(MessageRecords, DecodesGb2312LabelsAsGb18030) {
  // 堃 is in GBK, not GB2312; 𠮷 only in GB18030 (four bytes). Real "GB2312" mail carries both.
  auto m = parse(withFrom("=?gb2312?B?" + base64(encodeAs("王堃𠮷", "GB18030")) + "?= <wang@example.cn>"));
  EXPECT_EQ(field(interaction(m), "party_name"), "王堃𠮷");
  EXPECT_FALSE(field(interaction(m), "decode_errors")) << *field(interaction(m), "decode_errors");
}

TEST(MessageRecords, JoinsAUtf8CharacterSplitAcrossEncodedWords) {
  const std::string bytes = "张三";  // 6 bytes; the first character's 3 bytes split 2 + 1
  auto m = parse(withFrom("=?UTF-8?B?" + base64(bytes.substr(0, 2)) + "?= =?UTF-8?B?" + base64(bytes.substr(2)) +
                          "?= <z@example.cn>"));
  EXPECT_EQ(field(interaction(m), "party_name"), "张三");
}

TEST(MessageRecords, JoinsAGb2312CharacterSplitAcrossFoldedEncodedWords) {
  const std::string gb = encodeAs("张三李四", "GB2312");
  const std::string subject = "Subject: =?GB2312?B?" + base64(gb.substr(0, 1)) + "?=\n =?GB2312?B?" +
                              base64(gb.substr(1, 4)) + "?=\n\t=?gb2312?B?" + base64(gb.substr(5)) + "?=\n";
  auto m = parse("From: a@example.org\nTo: sales@example.com\n" + subject + "Message-ID: <s@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(m), "subject"), "张三李四");
}

TEST(MessageRecords, AcceptsEncodedWordsInsideQuotes) {
  auto m = parse(withFrom("\"=?GB2312?B?" + base64(encodeAs("张三", "GB2312")) + "?=\" <zhang@example.cn>"));
  EXPECT_EQ(field(interaction(m), "party_name"), "张三");
  auto outlook = parse(withFrom("\"=?utf-8?B?5byg5LiJ?= (Sales)\" <zhang@example.cn>"));
  EXPECT_EQ(field(interaction(outlook), "party_name"), "张三 (Sales)");
}

TEST(MessageRecords, UnfoldsFoldedHeaders) {
  auto m = parse("From: Ada Lovelace\n <ada@example.org>\nTo: sales@example.com\nSubject: a long\n  subject that\n"
                 "\tcontinues\nMessage-ID:\n <fold@example.org>\nDate: Tue, 11 Mar 2025\n 09:31:25 +0800\n\nbody\n");
  const auto& r = interaction(m);
  EXPECT_EQ(field(r, "subject"), "a long  subject that\tcontinues");
  EXPECT_EQ(field(r, "party_name"), "Ada Lovelace");
  EXPECT_EQ(field(r, "message_id"), "fold@example.org");
  EXPECT_EQ(field(r, "occurred_at"), "2025-03-11T01:31:25Z");
}

TEST(MessageRecords, ReadsGroupsAndEmptyGroups) {
  auto m = parse("From: sales@example.com\nTo: undisclosed-recipients:;\nCc: Buyers: Bo <bo@client.cn>, "
                 "\"Li, Lei\" <li@client.cn>;, boss@example.com\nSubject: offer\nMessage-ID: <g@x>\n\nbody\n");
  const auto& r = interaction(m);
  EXPECT_EQ(field(r, "direction"), "out");
  EXPECT_EQ(field(r, "party_email"), "bo@client.cn");
  EXPECT_EQ(field(r, "party_name"), "Bo");
  EXPECT_EQ(field(r, "to"), "undisclosed-recipients:;");  // an empty group: no party, no customer
  EXPECT_EQ(field(r, "cc"), "Buyers: Bo <bo@client.cn>, Li, Lei <li@client.cn>;, boss@example.com");
  auto c = customers(m);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], (std::pair<std::string, std::string>{"email:bo@client.cn", "Bo"}));
  EXPECT_EQ(c[1], (std::pair<std::string, std::string>{"email:li@client.cn", "Li, Lei"}));
}

TEST(MessageRecords, ReadsTheDateVariantsRealMailHas) {
  const std::pair<const char*, const char*> cases[] = {
      {"Tue, 11 Mar 2025 09:31:25 +0800", "2025-03-11T01:31:25Z"},
      {"11 Mar 2025 09:31:25 +0800", "2025-03-11T01:31:25Z"},            // no weekday
      {"Tue, 11 Mar 2025 09:31:25 +0800 (CST)", "2025-03-11T01:31:25Z"},  // zone comment
      {"Tue, 11 Mar 2025 09:31:25 CST", "2025-03-11T15:31:25Z"},          // RFC 822 zone: US Central, -0600
      {"Tue, 11 Mar 2025 09:31:25 GMT", "2025-03-11T09:31:25Z"},
      {"Tue, 11 Mar 25 09:31 -0500", "2025-03-11T14:31:00Z"},            // two-digit year, no seconds
      {"Tue,  4 Mar 2025 9:05:01 +0100", "2025-03-04T08:05:01Z"},        // one-digit day and hour
  };
  for (const auto& [date, iso] : cases) {
    auto m = parse("From: a@client.cn\nSubject: d\nMessage-ID: <d@x>\nDate: " + std::string(date) + "\n\nbody\n");
    EXPECT_EQ(field(interaction(m), "occurred_at"), iso) << date;
  }
}

TEST(MessageRecords, FlagsAnUnreadableDateAndFallsBackToReceived) {
  auto m = parse("Received: from mx by mail.example.com; Wed, 12 Mar 2025 10:00:00 +0000\nFrom: a@client.cn\n"
                 "Subject: d\nMessage-ID: <d@x>\nDate: sometime last week\n\nbody\n");
  const auto& r = interaction(m);
  EXPECT_EQ(field(r, "occurred_at"), "2025-03-12T10:00:00Z");
  ASSERT_TRUE(field(r, "decode_errors"));
  EXPECT_NE(field(r, "decode_errors")->find("unreadable Date header 'sometime last week'"), std::string::npos);
}

TEST(MessageRecords, HashesAMissingMessageIdStably) {
  const std::string a = testing::simpleMessage("Ada <ada@client.cn>", "sales@example.com", "quote", "", "Hi there");
  auto first = parse(a);
  auto again = parse(a);
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_EQ(first.key.rfind("hash:", 0), 0u) << first.key;
  EXPECT_EQ(first.key, again.key);
  EXPECT_EQ(interaction(first).sourceKey, first.key);
  EXPECT_FALSE(field(interaction(first), "message_id"));
  // The same message with CRLF line ends (as IMAP serves it) has the same key.
  std::string crlf;
  for (char c : a) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(parse(crlf).key, first.key);
  auto otherBody = parse(testing::simpleMessage("Ada <ada@client.cn>", "sales@example.com", "quote", "", "Bye"));
  EXPECT_NE(otherBody.key, first.key);
  auto otherDate = parse(testing::simpleMessage("Ada <ada@client.cn>", "sales@example.com", "quote", "", "Hi there",
                                                "Wed, 12 Mar 2025 09:31:25 +0800"));
  EXPECT_NE(otherDate.key, first.key);
}

TEST(MessageRecords, ThreadsByReferencesThenInReplyToThenOwnIdThenSubject) {
  auto refs = parse("From: a@client.cn\nSubject: Re: offer\nMessage-ID: <3@x>\nIn-Reply-To: <2@x>\n"
                    "References: <1@x>\n <2@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(refs), "thread_key"), "1@x");
  EXPECT_EQ(field(interaction(refs), "in_reply_to"), "2@x");
  auto reply = parse("From: a@client.cn\nSubject: Re: offer\nMessage-ID: <3@x>\nIn-Reply-To: <2@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(reply), "thread_key"), "2@x");
  const std::string prefixed = "=?UTF-8?B?" + base64("回复：RE: Fwd:  转发: 报价  单") + "?=";
  auto chinese = parse("From: a@client.cn\nSubject: " + prefixed + "\nMessage-ID: <4@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(chinese), "subject"), "回复：RE: Fwd:  转发: 报价  单");
  EXPECT_EQ(field(interaction(chinese), "thread_key"), "报价 单");
  auto english = parse("From: a@client.cn\nSubject: RE: re[2]: FW: Quote For ACME\nMessage-ID: <5@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(english), "thread_key"), "quote for acme");
  // The first message of a thread is keyed by its own Message-ID, the one its replies reference.
  auto root = parse("From: a@client.cn\nSubject: offer\nMessage-ID: <1@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(root), "thread_key"), "1@x");
  // Without a Message-ID it is threaded by subject, like replies that carry no reply headers.
  auto anonymous = parse("From: a@client.cn\nSubject: Offer\n\nbody\n");
  auto answer = parse("From: a@client.cn\nSubject: Re: offer\nMessage-ID: <9@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(anonymous), "thread_key"), "offer");
  EXPECT_EQ(field(interaction(answer), "thread_key"), "offer");
}

TEST(MessageRecords, TellsDirectionFromOwnAddressesAndDomains) {
  auto in = parse(testing::simpleMessage("Bo <bo@client.cn>", "Sales <sales@example.com>", "q", "i@x", "hi"));
  EXPECT_EQ(field(interaction(in), "direction"), "in");
  EXPECT_EQ(field(interaction(in), "party_email"), "bo@client.cn");
  EXPECT_EQ(customers(in).size(), 1u);
  auto out = parse(testing::simpleMessage("Zoe <zoe@eu.example.com>", "sales@example.com, Bo <Bo@Client.cn>", "q",
                                          "o@x", "hi"));
  EXPECT_EQ(field(interaction(out), "direction"), "out");
  EXPECT_EQ(field(interaction(out), "party_email"), "Bo@Client.cn");  // as the message has it
  ASSERT_EQ(customers(out).size(), 1u);
  EXPECT_EQ(customers(out)[0].first, "email:bo@client.cn");
  MessageOptions none;
  auto unknown = parse(testing::simpleMessage("zoe@example.com", "bo@client.cn", "q", "u@x", "hi"), none);
  EXPECT_EQ(field(interaction(unknown), "direction"), "in");
}

TEST(MessageRecords, SummarizesHtmlWhenThereIsNoPlainText) {
  auto m = parse("From: a@client.cn\nSubject: s\nMessage-ID: <h@x>\nMIME-Version: 1.0\n"
                 "Content-Type: text/html; charset=gb2312\nContent-Transfer-Encoding: base64\n\n" +
                 base64(encodeAs("<html><head><style>p{color:red}</style><title>t</title></head><body><p>你好，"
                                 "&nbsp;请看<b>报价</b>&amp;条款</p><div>谢谢</div><script>var x=1;</script>"
                                 "</body></html>",
                                 "GB2312")) +
                 "\n");
  EXPECT_EQ(field(interaction(m), "summary"), "你好， 请看报价&条款 谢谢");
}

TEST(MessageRecords, PrefersThePlainPartAndTrimsQuotesAndSignatures) {
  auto m = parse("From: a@client.cn\nSubject: s\nMessage-ID: <p@x>\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>html</p>\n"
                 "--b\nContent-Type: text/plain; charset=utf-8\n\nThanks,   we accept.\n\n> old text\n> more\n"
                 "Second line.\n-- \nBo, ACME\n--b--\n");
  EXPECT_EQ(field(interaction(m), "summary"), "Thanks, we accept. Second line.");
  auto reply = parse("From: a@client.cn\nSubject: s\nMessage-ID: <q@x>\n\nOK for me.\n\nOn Tue, 11 Mar 2025, Sales "
                     "wrote:\n> the offer\n");
  EXPECT_EQ(field(interaction(reply), "summary"), "OK for me.");
  auto outlook = parse("From: a@client.cn\nSubject: s\nMessage-ID: <r@x>\n\n好的\n\n-----原始邮件-----\n发件人: x\n");
  EXPECT_EQ(field(interaction(outlook), "summary"), "好的");
}

TEST(MessageRecords, CutsTheSummaryAtCodePoints) {
  MessageOptions o = ours();
  o.summaryChars = 5;
  auto m = parse(testing::simpleMessage("a@client.cn", "sales@example.com", "s", "c@x", "你好世界，再见"), o);
  EXPECT_EQ(field(interaction(m), "summary"), "你好世界，");
}

TEST(MessageRecords, KeepsTheMessageAndNamesAnUndecodableCharset) {
  auto m = parse("From: =?x-unknown-cs?B?" + base64("Bo") + "?= <bo@client.cn>\nSubject: s\nMessage-ID: <u@x>\n"
                 "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                 "Content-Type: text/plain; charset=x-klingon\n\nqapla\n--b\nContent-Type: text/html; charset=utf-8\n\n"
                 "<p>fallback</p>\n--b--\n");
  ASSERT_TRUE(m.error.empty()) << m.error;
  const auto& r = interaction(m);
  ASSERT_TRUE(field(r, "decode_errors"));
  EXPECT_NE(field(r, "decode_errors")->find("undecodable charset x-klingon in text/plain part"), std::string::npos);
  EXPECT_NE(field(r, "decode_errors")->find("undecodable charset x-unknown-cs in From"), std::string::npos);
  EXPECT_EQ(field(r, "summary"), "fallback");
  EXPECT_EQ(field(r, "party_email"), "bo@client.cn");
}

TEST(MessageRecords, FlagsAMultipartWithoutBoundaryButKeepsTheHeaders) {
  auto m = parse("From: a@client.cn\nSubject: broken\nMessage-ID: <b@x>\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed\n\nwhatever\n");
  ASSERT_TRUE(m.error.empty()) << m.error;
  const auto& r = interaction(m);
  EXPECT_EQ(field(r, "subject"), "broken");
  ASSERT_TRUE(field(r, "decode_errors"));
  EXPECT_NE(field(r, "decode_errors")->find("multipart without boundary"), std::string::npos);
}

TEST(MessageRecords, RejectsTextWithoutAnyMessageHeader) {
  auto m = parse("this is not an e-mail at all\njust some text\n");
  EXPECT_FALSE(m.error.empty());
  EXPECT_TRUE(m.records.empty());
  EXPECT_NE(m.error.find("not a readable RFC 5322 message"), std::string::npos) << m.error;
  auto headersOnlyForMachines = parse("X-Mailer: something\nContent-Type: text/plain\n\nbody\n");
  EXPECT_TRUE(headersOnlyForMachines.records.empty());
  EXPECT_NE(headersOnlyForMachines.error.find("no readable From, Date, Subject or Message-ID"), std::string::npos)
      << headersOnlyForMachines.error;
}

TEST(MessageRecords, KeepsAMessageWithHeadersOnly) {
  auto m = parse("From: a@client.cn\nSubject: only headers\nMessage-ID: <ho@x>\n");
  ASSERT_TRUE(m.error.empty()) << m.error;
  EXPECT_EQ(field(interaction(m), "subject"), "only headers");
  EXPECT_FALSE(field(interaction(m), "summary"));
  EXPECT_FALSE(field(interaction(m), "decode_errors"));
}

TEST(MessageRecords, DecodesUnlabelled8BitHeaders) {
  auto m = parse("From: " + encodeAs("张三", "GB18030") + " <zhang@client.cn>\nSubject: " + encodeAs("报价", "GB18030") +
                 "\nMessage-ID: <8@x>\n\nbody\n");
  EXPECT_EQ(field(interaction(m), "party_name"), "张三");
  EXPECT_EQ(field(interaction(m), "subject"), "报价");
}

}  // namespace
}  // namespace crmsync::email
