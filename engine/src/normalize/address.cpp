#include "crmsync/normalize/address.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "crmsync/normalize/text.hpp"
#include "normalize/unicode_util.hpp"

namespace crmsync::normalize {
namespace {

// Street words as people abbreviate them, to the one form tokens use.
const std::unordered_map<std::string, std::string>& abbreviations() {
  static const std::unordered_map<std::string, std::string> map = {
      {"st", "street"},     {"str", "strasse"},   {"rd", "road"},       {"ave", "avenue"},   {"av", "avenue"},
      {"blvd", "boulevard"}, {"dr", "drive"},     {"ln", "lane"},       {"ct", "court"},     {"pl", "place"},
      {"sq", "square"},     {"hwy", "highway"},   {"pkwy", "parkway"},  {"cres", "crescent"}, {"tce", "terrace"},
      {"apt", "apartment"}, {"ste", "suite"},     {"fl", "floor"},      {"bldg", "building"}, {"rm", "room"},
      {"hse", "house"},     {"mt", "mount"},      {"ctr", "center"},    {"centre", "center"}};
  return map;
}

// Chinese address parts end in these characters; a token is cut after each so "上海市浦东新区世纪大道100号"
// gives 上海市 / 浦东新区 / 世纪大道 / 100号.
constexpr std::u32string_view kCjkMarkers = U"省市区县镇乡村路街道巷弄号號楼樓栋棟室层層";

// A postcode form: where it is in the address (first or last match) and how its two parts are joined.
struct Form {
  std::unique_ptr<RE2> re;
  bool last = false;         // the postcode comes after the street, so the street number is not taken for it
  const char* joiner = "";   // between capture groups 1 and 2
};

std::unique_ptr<RE2> compile(const char* pattern) { return std::make_unique<RE2>(pattern); }

}  // namespace

struct AddressNormalizer::Impl {
  Form cn{compile(R"(\b(\d{6})\b)"), false, ""};
  Form us{compile(R"(\b(\d{5})(?:-(\d{4}))?\b)"), true, "-"};
  Form gb{compile(R"(\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b)"), true, " "};
  Form ca{compile(R"(\b([A-Z]\d[A-Z]) ?(\d[A-Z]\d)\b)"), true, " "};
  Form fiveFirst{compile(R"(\b(\d{5})\b)"), false, ""};
  Form fourLast{compile(R"(\b(\d{4})\b)"), true, ""};
  Form jp{compile(R"(\b(\d{3})-(\d{4})\b)"), true, "-"};
  Form nl{compile(R"(\b(\d{4}) ?([A-Z]{2})\b)"), true, " "};
  Form generic{compile(R"(\b(\d{4,6})(?:-(\d{4}))?\b)"), true, "-"};

  const Form* formFor(std::string_view region) const {
    static const std::unordered_map<std::string_view, int> regions = {
        {"CN", 0}, {"US", 1}, {"GB", 2}, {"UK", 2}, {"CA", 3}, {"DE", 4}, {"FR", 4}, {"IT", 4}, {"ES", 4},
        {"AU", 5}, {"NZ", 5}, {"AT", 5}, {"CH", 5}, {"DK", 5}, {"NO", 5}, {"BE", 5}, {"JP", 6}, {"NL", 7}};
    auto it = regions.find(region);
    if (it == regions.end()) return nullptr;
    const std::array<const Form*, 8> forms = {&cn, &us, &gb, &ca, &fiveFirst, &fourLast, &jp, &nl};
    return forms[static_cast<size_t>(it->second)];
  }

  static std::string find(const Form& form, const std::string& text) {
    std::array<re2::StringPiece, 3> g;
    std::string found;
    size_t pos = 0;
    while (pos <= text.size() && form.re->Match(text, pos, text.size(), RE2::UNANCHORED, g.data(), 3)) {
      found.assign(g[1].data(), g[1].size());
      if (g[2].data() != nullptr) found += form.joiner + std::string(g[2].data(), g[2].size());
      if (!form.last) break;
      pos = static_cast<size_t>(g[0].data() - text.data()) + std::max<size_t>(g[0].size(), 1);
    }
    return found;
  }

  std::string postcode(const std::string& upper, std::string_view region) const {
    if (const Form* form = formFor(region)) return find(*form, upper);
    if (auto gbCode = find(gb, upper); !gbCode.empty()) return gbCode;
    return find(generic, upper);
  }
};

AddressNormalizer::AddressNormalizer() : impl_(std::make_unique<Impl>()) {}
AddressNormalizer::~AddressNormalizer() = default;

AddressResult AddressNormalizer::normalize(std::string_view raw, std::string_view region) const {
  AddressResult r;
  r.raw = std::string(raw);
  if (!isValidUtf8(raw)) {
    r.display = r.raw;
    r.reason = "invalid UTF-8";
    return r;
  }
  r.display = trim(nfkc(trim(raw)));
  if (r.display.empty()) {
    r.reason = "empty";
    return r;
  }
  std::string upper = r.display;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  r.postcode = impl_->postcode(upper, region);

  // The postcode's parts are not address words: "SW1A 2AA" would otherwise add "sw1a" and "2aa" (or "sw1a2aa").
  std::vector<std::string> postcodeParts;
  std::string part, whole;
  for (char c : r.postcode + " ") {
    if (c == ' ' || c == '-') {
      if (!part.empty()) postcodeParts.push_back(part);
      part.clear();
      continue;
    }
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    part += c;
    whole += c;
  }
  postcodeParts.push_back(whole);

  std::u32string folded = detail::toUtf32(detail::stripAccents(detail::foldCase(r.display)));
  std::u32string current;
  auto flush = [&] {
    if (current.empty()) return;
    std::string token = detail::toUtf8(current);
    current.clear();
    if (std::find(postcodeParts.begin(), postcodeParts.end(), token) != postcodeParts.end()) return;
    if (auto it = abbreviations().find(token); it != abbreviations().end()) {
      token = it->second;
    } else if (token.size() > 3 && token.compare(token.size() - 3, 3, "str") == 0) {
      token += "asse";  // German "Hauptstr." is "Hauptstraße", which folds to "hauptstrasse"
    }
    r.tokens.push_back(std::move(token));
  };
  for (char32_t c : folded) {
    if (detail::isLetter(c) || detail::isDigit(c)) {
      current += c;
      if (kCjkMarkers.find(c) != std::u32string_view::npos) flush();
    } else {
      flush();
    }
  }
  flush();
  if (r.tokens.empty() && r.postcode.empty()) {
    r.reason = "no letters or digits";
    return r;
  }
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
