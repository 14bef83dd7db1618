#include "crmsync/normalize/double_metaphone.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

void expectCodes(std::string_view word, std::string_view primary, std::string_view alternate) {
  auto code = doubleMetaphone(word);
  EXPECT_EQ(code.primary, primary) << word;
  EXPECT_EQ(code.alternate, alternate) << word;
}

// Reference codes as Philips' algorithm and its common ports (Apache Commons Codec) publish them.
TEST(DoubleMetaphone, MatchesPublishedReferenceCodes) {
  expectCodes("Smith", "SM0", "XMT");
  expectCodes("Schmidt", "XMT", "SMT");
  expectCodes("Jose", "HS", "HS");
  expectCodes("Xavier", "SF", "SFR");
  expectCodes("Richard", "RXRT", "RKRT");
  expectCodes("Katherine", "K0RN", "KTRN");
  expectCodes("Catherine", "K0RN", "KTRN");
  expectCodes("Geoff", "JF", "KF");
  expectCodes("Through", "0R", "TR");
  expectCodes("Schwein", "XN", "XFN");
  expectCodes("Maurice", "MRS", "MRS");
  expectCodes("Aubrey", "APR", "APR");
  expectCodes("Bob", "PP", "PP");
  expectCodes("Steven", "STFN", "STFN");
  expectCodes("Bryce", "PRS", "PRS");
  expectCodes("Cambrillo", "KMPR", "KMPR");
  expectCodes("Heidi", "HT", "HT");
  expectCodes("Dave", "TF", "TF");
  expectCodes("Ray", "R", "R");
}

TEST(DoubleMetaphone, GivesSoundAlikeSpellingsACommonCode) {
  EXPECT_EQ(doubleMetaphone("Smith").primary, doubleMetaphone("Smyth").primary);
  EXPECT_EQ(doubleMetaphone("Smith").alternate, doubleMetaphone("Schmidt").primary);
  EXPECT_EQ(doubleMetaphone("Stephen").primary, doubleMetaphone("Steven").primary);
  EXPECT_EQ(doubleMetaphone("Catherine").primary, doubleMetaphone("Katherine").primary);
  EXPECT_EQ(doubleMetaphone("Wasserman").alternate, doubleMetaphone("Vasserman").primary);
}

TEST(DoubleMetaphone, HandlesSilentStartsAndSpecialWords) {
  expectCodes("Knight", "NT", "NT");
  expectCodes("Wright", "RT", "RT");
  expectCodes("Michael", "MKL", "MXL");
  expectCodes("Caesar", "SSR", "SSR");
  expectCodes("Thomas", "TMS", "TMS");
  expectCodes("Thompson", "TMPS", "TMPS");  // "TH" before "OM" is a plain T; P before S is not silent
}

TEST(DoubleMetaphone, IsCaseInsensitiveAndLimitsTheCodeLength) {
  EXPECT_EQ(doubleMetaphone("SMITH").primary, doubleMetaphone("smith").primary);
  EXPECT_EQ(doubleMetaphone("Richardson").primary, "RXRT");
  EXPECT_EQ(doubleMetaphone("Richardson", 8).primary, "RXRTSN");
}

TEST(DoubleMetaphone, EncodesPinyinLikeAnyLatinWord) {
  expectCodes("Zhang", "JNK", "JNK");
  expectCodes("Wei", "A", "F");
}

TEST(DoubleMetaphone, EmptyWordHasNoCode) {
  auto code = doubleMetaphone("");
  EXPECT_TRUE(code.primary.empty());
  EXPECT_TRUE(code.alternate.empty());
}

}  // namespace
}  // namespace crmsync::normalize
