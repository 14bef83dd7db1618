// Guards sdk/include/crmsync/plugin_abi.h: any token change needs a version bump and a new sdk/abi.lock line.
// When HeaderMatchesLock fails, its message says what to bump and prints the line to put in sdk/abi.lock.
#include <crmsync/plugin_abi.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "unit/sdk/abi_lock.hpp"

namespace crmsync::sdk::testing {
namespace {

using ::testing::HasSubstr;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string header() { return readFile(std::string(CRMSYNC_SOURCE_DIR) + "/sdk/include/crmsync/plugin_abi.h"); }
std::string lock() { return readFile(std::string(CRMSYNC_SOURCE_DIR) + "/sdk/abi.lock"); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the test's anchor '" << from << "' is no longer in plugin_abi.h";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A new host slot: the kind of change that must bump the minor version.
std::string withNewSlot(const std::string& text) {
  return replaced(text, "} crmsync_host_api;",
                  "  crmsync_status (*http_get)(crmsync_host_ctx* ctx, const char* url);\n} crmsync_host_api;");
}

std::string withMinor(const std::string& text, int minor) {
  return replaced(text, "#define CRMSYNC_ABI_MINOR " + std::to_string(CRMSYNC_ABI_MINOR),
                  "#define CRMSYNC_ABI_MINOR " + std::to_string(minor));
}

TEST(AbiLock, HeaderMatchesLock) {
  AbiLockCheck check = checkAbiLock(header(), lock());
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(AbiLock, LockedVersionIsTheCompiledVersion) {
  auto v = headerAbiVersion(header());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(v->minor, CRMSYNC_ABI_MINOR);
}

TEST(AbiLock, FailsWhenATokenChangesWithoutABump) {
  const std::string original = header();
  AbiLockCheck check = checkAbiLock(withNewSlot(original), lock());
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("plugin_abi.h changed without a version bump"));
  EXPECT_THAT(check.message, HasSubstr("append-only changes bump CRMSYNC_ABI_MINOR, others CRMSYNC_ABI_MAJOR"));
  AbiVersion next{CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR + 1};
  EXPECT_THAT(check.message, HasSubstr(abiLockLine(next, withNewSlot(original))));
}

TEST(AbiLock, FailsOnASingleChangedValue) {
  AbiLockCheck check = checkAbiLock(replaced(header(), "CRMSYNC_ERR_AUTH = 5", "CRMSYNC_ERR_AUTH = 9"), lock());
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("without a version bump"));
}

TEST(AbiLock, IgnoresCommentAndWhitespaceEdits) {
  std::string edited = replaced(header(), "typedef struct crmsync_host_api {",
                                "/* reworded comment */ typedef   struct\n  crmsync_host_api   {  // and another");
  edited = replaced(edited, "Hands a batch of records", "Passes a batch of records");
  EXPECT_NE(edited, header());
  AbiLockCheck check = checkAbiLock(edited, lock());
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(AbiLock, FailsWhenTheVersionIsBumpedButTheLockIsNot) {
  const std::string bumped = withMinor(withNewSlot(header()), CRMSYNC_ABI_MINOR + 1);
  AbiLockCheck check = checkAbiLock(bumped, lock());
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("but sdk/abi.lock was not updated"));
  EXPECT_THAT(check.message,
              HasSubstr(abiLockLine({CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR + 1}, bumped)));
}

TEST(AbiLock, PassesOnceTheLockFollowsTheBump) {
  const std::string bumped = withMinor(withNewSlot(header()), CRMSYNC_ABI_MINOR + 1);
  const std::string newLock =
      "# updated\n" + abiLockLine({CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR + 1}, bumped) + "\n";
  AbiLockCheck check = checkAbiLock(bumped, newLock);
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(AbiLock, TheSuggestedLineIsTheOneThatPassesAfterTheBump) {
  // The line printed for an unbumped change is already right for the bumped header: version values are not
  // part of the hash.
  const std::string changed = withNewSlot(header());
  const std::string suggested = abiLockLine({CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR + 1}, changed);
  EXPECT_TRUE(checkAbiLock(withMinor(changed, CRMSYNC_ABI_MINOR + 1), suggested).ok);
}

TEST(AbiLock, FailsWhenTheVersionGoesBackwards) {
  const std::string text = header();
  const std::string lockText = abiLockLine({CRMSYNC_ABI_MAJOR + 1, 0}, text);
  AbiLockCheck check = checkAbiLock(text, lockText);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("versions only go up"));
}

TEST(AbiLock, FailsWhenAMajorBumpKeepsTheMinor) {
  std::string text = replaced(header(), "#define CRMSYNC_ABI_MAJOR " + std::to_string(CRMSYNC_ABI_MAJOR),
                              "#define CRMSYNC_ABI_MAJOR " + std::to_string(CRMSYNC_ABI_MAJOR + 1));
  text = withMinor(text, 3);
  AbiLockCheck check = checkAbiLock(text, lock());
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("a major bump resets CRMSYNC_ABI_MINOR to 0"));
}

TEST(AbiLock, FailsOnAMalformedLock) {
  AbiLockCheck check = checkAbiLock(header(), "# nothing but comments\n");
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, HasSubstr("sdk/abi.lock is malformed"));
}

TEST(AbiLockNormalizer, DropsCommentsAndSpacesButKeepsTokensApart) {
  EXPECT_EQ(normalizeAbiHeader("typedef  struct /* c */ x {\n  int a; // d\n} x;"), "typedef struct x{int a;}x;");
  EXPECT_EQ(normalizeAbiHeader("int/**/a;"), "int a;");
  EXPECT_EQ(normalizeAbiHeader("#define S \"a /* not a comment */ b\""), "#define S\"a /* not a comment */ b\"");
  EXPECT_NE(normalizeAbiHeader("int ab;"), normalizeAbiHeader("int a b;"));
  EXPECT_EQ(normalizeAbiHeader("#define CRMSYNC_ABI_MINOR 7"), normalizeAbiHeader("#define CRMSYNC_ABI_MINOR 8"));
}

TEST(AbiLockNormalizer, Fnv1a64MatchesKnownVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

}  // namespace
}  // namespace crmsync::sdk::testing
