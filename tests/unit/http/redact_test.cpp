#include "crmsync/http/redact.hpp"

#include <gtest/gtest.h>

namespace crmsync::http {
namespace {

TEST(Redact, BlanksEveryCredentialHeader) {
  for (const char* name : {"Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-Api-Key",
                           "X-Auth-Token", "X-Client-Secret"}) {
    EXPECT_TRUE(isSensitiveHeader(name)) << name;
    EXPECT_EQ(redactHeaderValue(name, "Bearer abc.def"), "REDACTED") << name;
  }
  EXPECT_FALSE(isSensitiveHeader("Content-Type"));
  EXPECT_EQ(redactHeaderValue("Accept", "application/json"), "application/json");
}

TEST(Redact, RemovesUserinfoFromUrls) {
  EXPECT_EQ(redactUrl("https://AC123:authtok@api.twilio.com/2010-04-01/Calls.json"),
            "https://REDACTED@api.twilio.com/2010-04-01/Calls.json");
  EXPECT_EQ(redactUrl("imaps://user@mail.example.com/INBOX"), "imaps://REDACTED@mail.example.com/INBOX");
  // An @ in the path is not userinfo.
  EXPECT_EQ(redactUrl("https://example.com/users/a@b.com"), "https://example.com/users/a@b.com");
}

TEST(Redact, BlanksSecretQueryParametersAndKeepsTheRest) {
  EXPECT_EQ(redactUrl("https://x.example/api?page=2&token=abc&access_token=t1&key=k&api_key=a&password=p"
                      "&sig=s&X-Amz-Signature=z&q=hello#frag"),
            "https://x.example/api?page=2&token=REDACTED&access_token=REDACTED&key=REDACTED&api_key=REDACTED"
            "&password=REDACTED&sig=REDACTED&X-Amz-Signature=REDACTED&q=hello#frag");
  EXPECT_EQ(redactUrl("https://x.example/plain"), "https://x.example/plain");
}

TEST(Redact, CleansFreeText) {
  std::string text =
      "could not reach http://bob:hunter2@10.0.0.1/x?client_secret=cs1 with Authorization: Bearer eyJhbGci "
      "and Cookie: sid=42; also password=pw9 and basic dXNlcjpwYXNz";
  std::string out = redactText(text);
  for (const char* secret : {"hunter2", "cs1", "eyJhbGci", "sid=42", "pw9", "dXNlcjpwYXNz", "bob"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
  }
  EXPECT_NE(out.find("http://REDACTED@10.0.0.1/x?client_secret=REDACTED"), std::string::npos) << out;
  EXPECT_NE(out.find("could not reach"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::http
