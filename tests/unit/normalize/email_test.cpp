#include "crmsync/normalize/email.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

TEST(Email, LowerCasesAndTrims) {
  auto r = normalizeEmail("  John.Smith@Example.COM ");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "john.smith@example.com");
}

TEST(Email, KeepsProviderSpecificPartsByDefault) {
  auto r = normalizeEmail("first.last+crm@gmail.com");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "first.last+crm@gmail.com");
}

TEST(Email, ExtractsAddressFromDisplayForm) {
  auto r = normalizeEmail("Zhang San <ZhangSan@Example.cn>");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.value, "zhangsan@example.cn");
}

TEST(Email, FlagsInvalidAddressesWithReason) {
  EXPECT_EQ(normalizeEmail("no-at-sign.com").reason, "no '@'");
  EXPECT_FALSE(normalizeEmail("a@localhost").valid);
  EXPECT_FALSE(normalizeEmail("a..b@example.com").valid);
  EXPECT_FALSE(normalizeEmail("a b@example.com").valid);
  EXPECT_FALSE(normalizeEmail("a@-example.com").valid);
}

TEST(Email, KeepsTheRawValue) {
  auto r = normalizeEmail("  Ann@Example.com ");
  EXPECT_EQ(r.raw, "  Ann@Example.com ");
  EXPECT_EQ(r.value, "ann@example.com");
  EXPECT_EQ(normalizeEmail("not an address").raw, "not an address");
}

TEST(Email, ProviderRulesRemoveGmailDotsAndTags) {
  EmailOptions gmail{.providerRules = true};
  EXPECT_EQ(normalizeEmail("First.Last+crm@gmail.com", gmail).value, "firstlast@gmail.com");
  EXPECT_EQ(normalizeEmail("first.last@googlemail.com", gmail).value, "firstlast@gmail.com");
  // Other providers keep their dots and tags: the rules are Gmail's own.
  EXPECT_EQ(normalizeEmail("first.last+crm@example.com", gmail).value, "first.last+crm@example.com");
}

TEST(Email, StripsTagsOnEveryDomainOnlyWhenAsked) {
  EmailOptions tags{.stripTags = true};
  EXPECT_EQ(normalizeEmail("ann+news@example.com", tags).value, "ann@example.com");
  EXPECT_EQ(normalizeEmail("first.last+x@gmail.com", tags).value, "first.last@gmail.com");
  EXPECT_EQ(normalizeEmail("+only@example.com", tags).value, "+only@example.com");
  EXPECT_EQ(normalizeEmail("ann+news@example.com").value, "ann+news@example.com");
}

TEST(Email, AppliesNoRulesToInvalidAddresses) {
  auto r = normalizeEmail("first.last+crm@gmail", {.providerRules = true, .stripTags = true});
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.value, "first.last+crm@gmail");
}

}  // namespace
}  // namespace crmsync::normalize
