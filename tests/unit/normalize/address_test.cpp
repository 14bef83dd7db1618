#include "crmsync/normalize/address.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

using Tokens = std::vector<std::string>;

TEST(Address, WritesOutStreetAbbreviations) {
  AddressNormalizer a;
  auto abbreviated = a.normalize("10 Downing St., London SW1A 2AA", "GB");
  auto full = a.normalize("10 DOWNING STREET LONDON SW1A2AA", "GB");
  EXPECT_EQ(abbreviated.tokens, (Tokens{"10", "downing", "street", "london"}));
  EXPECT_EQ(full.tokens, abbreviated.tokens);
  EXPECT_EQ(a.normalize("5 Main Rd", "").tokens, (Tokens{"5", "main", "road"}));
  EXPECT_EQ(a.normalize("1 Park Ave", "").tokens, (Tokens{"1", "park", "avenue"}));
  EXPECT_EQ(a.normalize("Hauptstr. 5", "DE").tokens, a.normalize("Hauptstraße 5", "DE").tokens);
}

TEST(Address, ExtractsPostcodesByCountry) {
  AddressNormalizer a;
  EXPECT_EQ(a.normalize("上海市浦东新区世纪大道100号 200120", "CN").postcode, "200120");
  EXPECT_EQ(a.normalize("1 Market St, San Francisco, CA 94105", "US").postcode, "94105");
  EXPECT_EQ(a.normalize("12345 Main St, Springfield, IL 62704-1234", "US").postcode, "62704-1234");
  EXPECT_EQ(a.normalize("10 Downing Street, London SW1A 2AA", "GB").postcode, "SW1A 2AA");
  EXPECT_EQ(a.normalize("221b baker street, london nw1 6xe", "GB").postcode, "NW1 6XE");
  EXPECT_EQ(a.normalize("Unter den Linden 77, 10117 Berlin", "DE").postcode, "10117");
  EXPECT_EQ(a.normalize("1 Macquarie St, Sydney NSW 2000", "AU").postcode, "2000");
  EXPECT_EQ(a.normalize("1600 Amphitheatre Pkwy", "US").postcode, "");
}

TEST(Address, FallsBackToAGenericPostcodeSearch) {
  AddressNormalizer a;
  EXPECT_EQ(a.normalize("10 Downing Street, London SW1A 2AA", "").postcode, "SW1A 2AA");
  EXPECT_EQ(a.normalize("Rue de Rivoli 1, 75001 Paris", "ZZ").postcode, "75001");
}

TEST(Address, SplitsChineseAddressesAtTheirParts) {
  AddressNormalizer a;
  auto r = a.normalize("上海市浦东新区世纪大道１００号", "CN");
  EXPECT_EQ(r.tokens, (Tokens{"上海市", "浦东新区", "世纪大道", "100号"}));
  EXPECT_EQ(r.display, "上海市浦东新区世纪大道100号");
}

TEST(Address, KeepsTheRawValueAndFlagsEmptyOnes) {
  AddressNormalizer a;
  EXPECT_EQ(a.normalize(" 1 Main St ", "US").raw, " 1 Main St ");
  EXPECT_FALSE(a.normalize("--", "US").valid);
  EXPECT_EQ(a.normalize("", "US").reason, "empty");
}

}  // namespace
}  // namespace crmsync::normalize
