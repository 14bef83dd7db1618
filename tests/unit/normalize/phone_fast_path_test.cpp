// Tricky inputs for the phone fast path: each must give libphonenumber's exact answer, and the listed E.164 text.
#include <gtest/gtest.h>

#include <string>

#include "crmsync/normalize/phone.hpp"
#include "normalize/phone_fast_path.hpp"
#include "unit/normalize/phone_reference.hpp"

namespace crmsync::normalize {
namespace {

using testing::describe;
using testing::referenceNormalize;
using testing::samePhoneResult;

struct Case {
  const char* input;
  const char* region;
  const char* e164;  // "" when the number is not valid
};

// Runs each case through the fast path alone and through PhoneNormalizer, against libphonenumber and the
// expected E.164 text.
void expectCases(std::initializer_list<Case> cases) {
  const auto& fast = detail::PhoneFastPath::instance();
  ASSERT_TRUE(fast.ready());
  PhoneNormalizer normalizer;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string("input \"") + c.input + "\" region \"" + c.region + "\"");
    const PhoneResult expected = referenceNormalize(c.input, c.region);
    const PhoneResult actual = normalizer.normalize(c.input, c.region);
    EXPECT_TRUE(samePhoneResult(expected, actual)) << "libphonenumber " << describe(expected) << ", PhoneNormalizer "
                                                   << describe(actual);
    EXPECT_EQ(expected.e164, c.e164) << describe(expected);
    EXPECT_EQ(expected.valid, std::string(c.e164).size() > 0);
    const auto f = fast.normalize(c.input, c.region);
    ASSERT_TRUE(f.has_value()) << "expected the fast path to handle this input";
    EXPECT_EQ(f->valid, expected.valid);
    EXPECT_EQ(f->e164, expected.e164);
  }
}

TEST(PhoneFastPath, ItalianLeadingZeroIsPartOfTheNumber) {
  expectCases({
      {"+39 06 6982 1234", "US", "+390669821234"},
      {"06 6982 1234", "IT", "+390669821234"},
      {"0039 06 69821234", "DE", "+390669821234"},
      {"+39 312 345 6789", "IT", "+393123456789"},
      {"02 1234 5678", "IT", "+390212345678"},
      {"0549 886377", "SM", "+3780549886377"},  // San Marino has no trunk prefix: its 0549 stays
  });
}

TEST(PhoneFastPath, NanpNumbersFindTheirRegion) {
  expectCases({
      {"+1 (415) 555-0100", "CN", "+14155550100"},
      {"1 415 555 0100", "US", "+14155550100"},
      {"(415) 555-0100", "CA", "+14155550100"},
      {"+1 268 464 1234", "US", "+12684641234"},  // Antigua, found by its leading digits
      {"(268) 464-1234", "AG", "+12684641234"},
      {"464-1234", "AG", "+12684641234"},  // seven digits: the transform rule adds the area code
      {"+1 242 357 1234", "GB", "+12423571234"},
      {"011 44 20 7946 0958", "US", "+442079460958"},
      {"+1 123 456 7890", "US", ""},
  });
}

TEST(PhoneFastPath, NationalNumbersStartingWithTheCountryCode) {
  expectCases({
      {"8613800138000", "CN", "+8613800138000"},
      {"86 10 6552 9988", "CN", "+861065529988"},
      {"447911123456", "GB", "+447911123456"},
      {"44 20 7946 0958", "GB", "+442079460958"},
      {"4930 1234567", "DE", "+49301234567"},
      {"33 1 42 68 53 00", "FR", "+33142685300"},
      {"919876543210", "IN", "+919876543210"},
  });
}

TEST(PhoneFastPath, ChineseTrunkPrefixAndCarrierCodes) {
  expectCases({
      {"010-6552 9988", "CN", "+861065529988"},
      {"(010) 6552-9988", "CN", "+861065529988"},
      {"0755 8888 8888", "CN", "+8675588888888"},
      {"+86 (0)10 6552 9988", "US", "+861065529988"},
      {"17951 13800138000", "CN", "+8613800138000"},  // carrier selection code before a mobile number
      {"0086 138 0013 8000", "CN", "+8613800138000"},
      {"138.0013.8000", "CN", "+8613800138000"},
      {"+86 000 0000 0000", "CN", ""},
  });
}

TEST(PhoneFastPath, TransformRulesAndMobilePrefixes) {
  expectCases({
      {"011 15-2345-6789", "AR", "+5491123456789"},  // 0 + area + 15 + number -> 9 + area + number
      {"+54 9 11 2345 6789", "US", "+5491123456789"},
      {"11 1503-7845", "AR", "+541115037845"},      // valid as written, not once transformed: kept as written
      {"54 11 1503-7845", "AR", "+541115037845"},   // the same after the country code
      {"044 55 1234 5678", "MX", "+525512345678"},  // Mexican mobile prefixes are national prefixes
      {"01 55 1234 5678", "MX", "+525512345678"},
      {"+52 1 55 1234 5678", "US", "+525512345678"},
      {"0 21 11 98765 4321", "BR", "+5511987654321"},  // trunk + carrier code, dropped by the transform rule
      {"(11) 98765-4321", "BR", "+5511987654321"},
      {"8 (495) 123-45-67", "RU", "+74951234567"},
      {"+7 701 123 4567", "US", "+77011234567"},  // Kazakhstan shares +7 with Russia
      {"01481 256789", "GG", "+441481256789"},
  });
}

TEST(PhoneFastPath, InternationalPrefixes) {
  expectCases({
      {"00 44 20 7946 0958", "DE", "+442079460958"},
      {"8 10 49 30 1234567", "RU", "+49301234567"},
      {"001 852 2123 4567", "HK", "+85221234567"},
      {"0011 61 2 9876 5432", "AU", "+61298765432"},
      {"2123 4567", "HK", "+85221234567"},
      {"6123 4567", "SG", "+6561234567"},
      {"+800 1234 5678", "CN", "+80012345678"},  // non-geographical
      {"+0086 138 0013 8000", "CN", "+8613800138000"},  // libphonenumber retries a bad '+' without it
  });
}

TEST(PhoneFastPath, ReasonsForInvalidInputAreLibphonenumbers) {
  const auto& fast = detail::PhoneFastPath::instance();
  PhoneNormalizer normalizer;
  struct Invalid {
    const char* input;
    const char* region;
    const char* reason;
  };
  for (const Invalid& c : {
           Invalid{"12", "CN", "not a valid number for its region"},
           Invalid{"1 2", "CN", "not a phone number"},
           Invalid{"+86 1", "CN", "too short"},
           Invalid{"+12", "DE", "not a phone number"},
           Invalid{"00 1", "DE", "too short after the international prefix"},
           Invalid{"00 12", "DE", "too short after the international prefix"},
           Invalid{"987654321098765432109", "CN", "too long"},
           Invalid{"123456789012345678901", "CN", "not a valid number for its region"},  // 12345 read as carrier code
           Invalid{"+999 1234 5678", "CN", "unknown country code"},
           Invalid{"020 7946 0958", "", "unknown country code"},
           Invalid{"020 7946 0958", "gb", "unknown country code"},
           Invalid{"---", "CN", "not a phone number"},
       }) {
    SCOPED_TRACE(std::string("input \"") + c.input + "\" region \"" + c.region + "\"");
    const PhoneResult expected = referenceNormalize(c.input, c.region);
    const PhoneResult actual = normalizer.normalize(c.input, c.region);
    EXPECT_TRUE(samePhoneResult(expected, actual)) << describe(expected) << " vs " << describe(actual);
    EXPECT_FALSE(actual.valid);
    EXPECT_EQ(actual.reason, c.reason);
    EXPECT_TRUE(fast.normalize(c.input, c.region).has_value());
  }
  // A '+' number needs no default region.
  EXPECT_EQ(normalizer.normalize("+44 20 7946 0958", "").e164, "+442079460958");
}

TEST(PhoneFastPath, ReadsSimpleExtensionsAndJunk) {
  const auto& fast = detail::PhoneFastPath::instance();
  PhoneNormalizer normalizer;
  struct WithExtension {
    const char* input;
    const char* region;
    const char* e164;
    const char* extension;
  };
  for (const WithExtension& c : {
           WithExtension{"+1 415-555-0100 ext. 42", "US", "+14155550100", "42"},
           WithExtension{"(415) 555-0100 x12", "US", "+14155550100", "12"},
           WithExtension{"415.555.0100 EXT:7", "US", "+14155550100", "7"},
           WithExtension{"020 7946 0958 extension 123", "GB", "+442079460958", "123"},
           WithExtension{"030 1234567-ext99", "DE", "+49301234567", "99"},
           WithExtension{"4155550100x123456789", "US", "+14155550100", "123456789"},
           WithExtension{"+1 123 456 7890 x5", "US", "", "5"},  // invalid numbers keep their extension too
       }) {
    SCOPED_TRACE(std::string("input \"") + c.input + "\"");
    const PhoneResult expected = referenceNormalize(c.input, c.region);
    const PhoneResult actual = normalizer.normalize(c.input, c.region);
    EXPECT_TRUE(samePhoneResult(expected, actual)) << describe(expected) << " vs " << describe(actual);
    EXPECT_EQ(actual.e164, c.e164);
    EXPECT_EQ(actual.extension, c.extension);
    const auto f = fast.normalize(c.input, c.region);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->extension, c.extension);
  }
  for (const char* junk : {"n/a", "unknown", "call reception", "TBD", "-", " N/A "}) {
    const PhoneResult expected = referenceNormalize(junk, "US");
    EXPECT_TRUE(samePhoneResult(expected, normalizer.normalize(junk, "US"))) << junk;
    EXPECT_EQ(expected.reason, "not a phone number");
    EXPECT_TRUE(fast.normalize(junk, "US").has_value()) << junk;
  }
}

TEST(PhoneFastPath, LeavesOtherShapesToLibphonenumber) {
  const auto& fast = detail::PhoneFastPath::instance();
  for (const char* input : {"+1 415-555-0100 ext. 123456789012345678901", "415-555-0100 x1234567890",
                            "415-555-0100 / x12", "415-555-0100 xt 12", "12 ext 3", "1-800-FLOWERS",
                            "(+86) 138 0013 8000",
                            "++86 138 0013 8000", "tel:+86-138-0013-8000", "010-12345678转123", "138 0013 8000#",
                            "\xEF\xBC\x8B\xEF\xBC\x98\xEF\xBC\x96 138 0013 8000", "138\t0013 8000", "", "   "}) {
    EXPECT_FALSE(fast.normalize(input, "CN").has_value()) << input;
  }
  // PhoneNormalizer still answers as libphonenumber does, extensions included.
  PhoneNormalizer normalizer;
  for (const char* input : {"+1 415-555-0100 ext. 123456789012345678901", "415-555-0100 / x12", "010-12345678转123",
                            "010-12345678 分机 88",
                            "\xEF\xBC\x8B\xEF\xBC\x98\xEF\xBC\x96 138 0013 8000", "(+86) 138 0013 8000",
                            "138\t0013 8000", "   "}) {
    const PhoneResult expected = referenceNormalize(input, "CN");
    const PhoneResult actual = normalizer.normalize(input, "CN");
    EXPECT_TRUE(samePhoneResult(expected, actual)) << input << ": " << describe(expected) << " vs "
                                                   << describe(actual);
  }
  EXPECT_EQ(normalizer.normalize("010-12345678转123", "CN").extension, "123");
  EXPECT_EQ(normalizer.normalize("010-12345678转123", "CN").e164, "+861012345678");
}

}  // namespace
}  // namespace crmsync::normalize
