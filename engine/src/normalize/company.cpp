#include "crmsync/normalize/company.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "crmsync/normalize/text.hpp"
#include "normalize/unicode_util.hpp"

namespace crmsync::normalize {
namespace {

using Words = std::vector<std::string>;

// Legal forms as the words they fold to once punctuation is gone ("Co., Ltd." -> co ltd, "S.A." -> s a), the
// longest first so "gmbh & co kg" goes as one.
const std::vector<Words>& legalForms() {
  static const std::vector<Words> forms = [] {
    std::vector<Words> f = {
        {"gmbh", "&", "co", "kg"}, {"gmbh", "co", "kg"}, {"gmbh", "und", "co", "kg"}, {"s", "a", "r", "l"},
        {"s", "p", "a"}, {"co", "ltd"}, {"pty", "ltd"}, {"pvt", "ltd"}, {"pte", "ltd"}, {"sdn", "bhd"},
        {"co", "kg"}, {"l", "l", "c"}, {"l", "l", "p"}, {"s", "a"}, {"b", "v"}, {"n", "v"}, {"a", "g"},
        {"inc"}, {"incorporated"}, {"corp"}, {"corporation"}, {"llc"}, {"ltd"}, {"limited"}, {"plc"}, {"llp"},
        {"lp"}, {"gmbh"}, {"ag"}, {"kg"}, {"ug"}, {"sa"}, {"sarl"}, {"sas"}, {"srl"}, {"spa"}, {"bv"}, {"nv"},
        {"pty"}, {"co"}, {"company"}, {"oy"}, {"ab"}, {"kk"}, {"se"}};
    std::stable_sort(f.begin(), f.end(), [](const Words& a, const Words& b) { return a.size() > b.size(); });
    return f;
  }();
  return forms;
}

// Chinese and Japanese legal forms at the end of the name; longest first.
constexpr std::array<std::string_view, 9> kCjkForms = {"股份有限公司", "有限责任公司", "有限責任公司", "株式会社",
                                                       "有限公司",     "合伙企业",     "合夥企業",     "公司",
                                                       "会社"};
constexpr std::array<std::string_view, 2> kCjkGroup = {"集团", "集團"};
constexpr std::array<std::string_view, 3> kGroupWords = {"group", "holdings", "holding"};

bool endsWith(const std::string& s, std::string_view tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Parenthesised qualifiers are places or divisions ("(上海)", "(China)", "(Europe) Ltd"); they do not tell two
// companies apart the way the name does. Long parentheses are part of the name and stay.
std::u32string dropQualifiers(const std::u32string& text) {
  std::u32string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == U'(') {
      size_t close = text.find(U')', i);
      if (close != std::u32string::npos) {
        size_t spaces = static_cast<size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(i),
                                                       text.begin() + static_cast<std::ptrdiff_t>(close), U' '));
        if (close - i <= 24 && spaces <= 2) {
          out += U' ';
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

Words splitWords(const std::u32string& text) {
  Words words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(current);
    current.clear();
  };
  for (char32_t c : text) {
    if (detail::isLetter(c) || detail::isDigit(c)) {
      detail::appendUtf8(current, c);
    } else if (c == U'&' || c == U'+') {
      flush();
      words.push_back("&");
    } else if (c == U'\'' || c == U'’') {
      // "McDonald's" and "McDonalds" are the same company.
    } else {
      flush();
    }
  }
  flush();
  return words;
}

bool stripLegalForm(Words& words) {
  for (const auto& form : legalForms()) {
    if (words.size() <= form.size()) continue;
    if (std::equal(form.begin(), form.end(), words.end() - static_cast<std::ptrdiff_t>(form.size()))) {
      words.resize(words.size() - form.size());
      return true;
    }
  }
  return false;
}

// The form is either the end of the last word ("阿里巴巴有限公司") or a word of its own after a qualifier
// ("阿里巴巴 有限公司" once "(中国)" is gone).
template <size_t N>
bool stripCjkSuffix(Words& words, const std::array<std::string_view, N>& forms) {
  std::string& last = words.back();
  for (auto form : forms) {
    if (last == form && words.size() > 1) {
      words.pop_back();
      return true;
    }
    if (endsWith(last, form)) {
      last.resize(last.size() - form.size());
      return true;
    }
  }
  return false;
}

bool stripCjkForm(Words& words, bool dropGroup) {
  return stripCjkSuffix(words, kCjkForms) || (dropGroup && stripCjkSuffix(words, kCjkGroup));
}

}  // namespace

CompanyResult normalizeCompany(std::string_view raw, const CompanyOptions& options) {
  CompanyResult r;
  r.raw = std::string(raw);
  if (!isValidUtf8(raw)) {
    r.display = r.raw;
    r.reason = "invalid UTF-8";
    return r;
  }
  r.display = trim(nfkc(trim(raw)));
  std::u32string folded = detail::toUtf32(detail::stripAccents(detail::foldCase(r.display)));
  Words words = splitWords(dropQualifiers(folded));
  if (words.empty() || (words.size() == 1 && words[0] == "&")) {
    r.reason = r.display.empty() ? "empty" : "no letters or digits";
    return r;
  }
  const Words all = words;
  if (words.size() > 1 && words.front() == "the") words.erase(words.begin());
  for (bool changed = true; changed && !words.empty();) {
    changed = stripLegalForm(words) || stripCjkForm(words, options.dropGroup);
    if (options.dropGroup && words.size() > 1 &&
        std::find(kGroupWords.begin(), kGroupWords.end(), words.back()) != kGroupWords.end()) {
      words.pop_back();
      changed = true;
    }
    while (words.size() > 1 && (words.back() == "&" || words.back() == "and")) words.pop_back();
    if (!words.empty() && words.back().empty()) words.pop_back();
  }
  if (words.empty()) words = all;  // a company called "Limited" keeps its name
  for (const auto& w : words) r.key += (r.key.empty() ? "" : " ") + w;
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
