#include "crmsync/normalize/name.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "crmsync/normalize/double_metaphone.hpp"
#include "crmsync/normalize/text.hpp"
#include "normalize/unicode_util.hpp"

namespace crmsync::normalize {
namespace {

using detail::foldCase;
using detail::toUtf32;
using detail::toUtf8;

using Token = std::u32string;
using Part = std::vector<Token>;  // the words between two commas

// Titles people put in a name column, folded and without dots. "sr" is not here: at the end it is "Senior".
constexpr std::array<std::u32string_view, 24> kHonorifics = {
    U"mr", U"mrs", U"ms", U"miss", U"mx", U"dr", U"prof", U"professor", U"sir", U"dame", U"madam", U"madame",
    U"mme", U"mlle", U"herr", U"frau", U"rev", U"hon", U"sra", U"srta", U"dott", U"dssa", U"ing", U"mag"};

// Chinese forms of address written after the name ("张伟先生"), longest first where one ends another.
constexpr std::array<std::u32string_view, 10> kCjkHonorifics = {U"先生", U"女士", U"小姐", U"太太", U"夫人",
                                                                U"老师", U"老師", U"博士", U"教授", U"同志"};

struct Suffix {
  std::u32string_view folded;
  const char* display;
};
constexpr std::array<Suffix, 10> kSuffixes = {{{U"jr", "Jr"}, {U"jnr", "Jnr"}, {U"sr", "Sr"}, {U"snr", "Snr"},
                                               {U"ii", "II"}, {U"iii", "III"}, {U"iv", "IV"}, {U"phd", "PhD"},
                                               {U"md", "MD"}, {U"esq", "Esq"}}};

// Two-character Chinese family names (simplified and traditional) and Korean ones: without them 欧阳娜娜 would
// split as 欧 + 阳娜娜.
constexpr std::array<std::u32string_view, 58> kCompoundSurnames = {
    U"欧阳", U"司马", U"诸葛", U"上官", U"东方", U"皇甫", U"尉迟", U"公孙", U"慕容", U"长孙", U"宇文", U"司徒",
    U"夏侯", U"轩辕", U"令狐", U"钟离", U"闻人", U"南宫", U"独孤", U"端木", U"澹台", U"公冶", U"宗政", U"濮阳",
    U"淳于", U"单于", U"太叔", U"申屠", U"万俟", U"呼延", U"东郭", U"西门", U"百里", U"司空", U"第五", U"拓跋",
    U"歐陽", U"司馬", U"諸葛", U"東方", U"尉遲", U"公孫", U"長孫", U"軒轅", U"鍾離", U"聞人", U"南宮", U"獨孤",
    U"澹臺", U"東郭", U"西門", U"남궁", U"황보", U"제갈", U"선우", U"독고", U"사공", U"서문"};

// The commonest single-character Chinese family names, about a hundred (simplified, then the traditional forms
// that differ). They tell which end of a name written without spaces is the family name: "{given}{family}"
// templates and English-order habits give 浩然陈 for 陈浩然.
constexpr std::u32string_view kCommonSurnames =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈"
    U"钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔"
    U"赖文"
    U"張劉陳楊黃趙吳孫馬羅鄭謝許韓鄧馮蕭葉蘇呂盧鍾譚陸範賈鄒龍賀顧龔萬錢嚴湯喬賴閆";

// Lower-case particles that belong to the family name: "Ludwig van Beethoven", "Oscar de la Hoya".
constexpr std::array<std::u32string_view, 14> kParticles = {U"van", U"von", U"der", U"den", U"de",  U"del", U"della",
                                                            U"da",  U"di",  U"du",  U"la",  U"le",  U"bin", U"ter"};

template <size_t N>
bool contains(const std::array<std::u32string_view, N>& list, std::u32string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

std::u32string foldToken(const Token& t) { return toUtf32(foldCase(toUtf8(t))); }

bool isUpper(char32_t c) { return u_isupper(static_cast<UChar32>(c)); }
bool isLower(char32_t c) { return u_islower(static_cast<UChar32>(c)); }

// Splits on white space and commas; dots end a word ("J.R.R." is three initials); quotes, brackets and other
// punctuation go, hyphens and apostrophes stay inside words ("Jean-Luc", "O'Brien").
std::vector<Part> tokenize(const std::u32string& text) {
  std::vector<Part> parts(1);
  Token current;
  auto flush = [&] {
    while (!current.empty() && (current.back() == U'-' || current.back() == U'\'')) current.pop_back();
    while (!current.empty() && (current.front() == U'-' || current.front() == U'\'')) current.erase(0, 1);
    if (!current.empty()) parts.back().push_back(std::move(current));
    current.clear();
  };
  for (char32_t c : text) {
    if (c == U',' || c == U'、' || c == U';') {
      flush();
      parts.emplace_back();
    } else if (c == U' ' || c == U'.' || c == U'·' || c == U'・') {
      flush();
    } else if (c == U'-' || c == U'\'' || c == U'’') {
      current += c == U'’' ? U'\'' : c;
    } else if (detail::isLetter(c) || u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK ||
               u_charType(static_cast<UChar32>(c)) == U_COMBINING_SPACING_MARK) {
      current += c;
    } else {
      flush();
    }
  }
  flush();
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const Part& p) { return p.empty(); }), parts.end());
  return parts;
}

const Suffix* findSuffix(const Token& t) {
  auto folded = foldToken(t);
  for (const auto& s : kSuffixes) {
    if (s.folded == folded) return &s;
  }
  return nullptr;
}

void stripCjkHonorific(Token& t) {
  for (auto h : kCjkHonorifics) {
    if (t.size() > h.size() && std::u32string_view(t).substr(t.size() - h.size()) == h) {
      t.resize(t.size() - h.size());
      return;
    }
  }
}

bool allCjk(const std::vector<Part>& parts) {
  bool any = false;
  for (const auto& p : parts) {
    for (const auto& t : p) {
      for (char32_t c : t) {
        if (!detail::isCjk(c)) return false;
        any = true;
      }
    }
  }
  return any;
}

bool allLatin(const std::vector<Part>& parts) {
  for (const auto& p : parts) {
    for (const auto& t : p) {
      for (char32_t c : t) {
        if (detail::isLetter(c) && !detail::isLatinLetter(c)) return false;
      }
    }
  }
  return true;
}

int countLetters(const Token& t, bool (*pred)(char32_t)) {
  int n = 0;
  for (char32_t c : t) n += pred(c) ? 1 : 0;
  return n;
}

bool isAllCaps(const Token& t) { return countLetters(t, isUpper) >= 2 && countLetters(t, isLower) == 0; }

// "SMITH" and "smith" become "Smith", "JEAN-LUC" "Jean-Luc"; mixed case ("McDonald") is kept as written.
Token displayCase(const Token& t) {
  if (countLetters(t, isUpper) > 0 && countLetters(t, isLower) > 0) return t;
  Token out;
  bool start = true;
  for (char32_t c : t) {
    out += static_cast<char32_t>(start ? u_totitle(static_cast<UChar32>(c)) : u_tolower(static_cast<UChar32>(c)));
    start = c == U'-' || c == U'\'';
  }
  return out;
}

std::u32string join(const std::vector<Token>& words, std::u32string_view sep) {
  std::u32string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

// The family name's first characters when they are a known compound surname, else its first character; but
// when the name does not start with a known family name and ends with one (浩然陈, 娜娜欧阳), it was written
// given name first and the family name is at the end.
void splitCjk(const Token& name, Token& family, Token& given) {
  const std::u32string_view v(name);
  const bool compoundFirst = v.size() >= 3 && contains(kCompoundSurnames, v.substr(0, 2));
  if (!compoundFirst && v.size() >= 2 && kCommonSurnames.find(v.front()) == std::u32string_view::npos) {
    size_t n = 0;
    if (v.size() >= 3 && contains(kCompoundSurnames, v.substr(v.size() - 2))) {
      n = 2;
    } else if (kCommonSurnames.find(v.back()) != std::u32string_view::npos) {
      n = 1;
    }
    if (n > 0) {
      family = name.substr(name.size() - n);
      given = name.substr(0, name.size() - n);
      return;
    }
  }
  const size_t n = compoundFirst ? 2 : 1;
  family = name.substr(0, n);
  given = name.substr(n);
}

std::string keyOf(const std::vector<Token>& family, const std::vector<Token>& given, bool cjk) {
  std::u32string joined = join(family, U" ");
  std::u32string g = join(given, U" ");
  if (!g.empty()) joined += (cjk ? U"" : U" ") + g;
  std::string folded = detail::stripAccents(foldCase(toUtf8(joined)));
  std::string key;
  for (char c : folded) {
    if (c == '\'') continue;
    if (c == '-') c = ' ';
    if (c == ' ' && (key.empty() || key.back() == ' ')) continue;
    key += c;
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

// A name part in Latin letters, lower case, without spaces: 晓明 -> "xiaoming", 欧阳 -> "ouyang", 김민준 ->
// "gimminjun". ICU transliterators are not safe to share between threads: one per thread.
std::string latinPart(const std::string& text) {
  thread_local std::unique_ptr<icu::Transliterator> translit = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance("Han-Latin; Hangul-Latin; Katakana-Latin; Hiragana-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(t) : nullptr;
  }();
  if (!translit || text.empty()) return {};
  // Name parts repeat (a few hundred family names cover most people) and transliteration costs microseconds.
  thread_local std::unordered_map<std::string, std::string> cache;
  if (auto it = cache.find(text); it != cache.end()) return it->second;
  if (cache.size() > 200'000) cache.clear();
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  translit->transliterate(u);
  std::string latin;
  u.toUTF8String(latin);
  std::string out;
  for (char c : latin) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  }
  cache.emplace(text, out);
  return out;
}

// Family names whose reading as a name differs from the character's common reading, which ICU gives: 曾 is
// Zeng (not ceng), 单 Shan, 解 Xie, 长孙 Zhangsun. Simplified and traditional forms.
std::string familyLatin(const std::string& family) {
  static const std::unordered_map<std::string_view, std::string_view> readings = {
      {"曾", "zeng"},  {"单", "shan"},   {"單", "shan"},  {"解", "xie"},     {"仇", "qiu"},     {"区", "ou"},
      {"區", "ou"},    {"查", "zha"},    {"朴", "piao"},  {"盖", "ge"},      {"蓋", "ge"},      {"乐", "yue"},
      {"樂", "yue"},   {"缪", "miao"},   {"繆", "miao"},  {"覃", "qin"},     {"翟", "zhai"},    {"秘", "bi"},
      {"员", "yun"},   {"員", "yun"},    {"种", "chong"}, {"種", "chong"},   {"召", "shao"},    {"句", "gou"},
      {"繁", "po"},    {"藏", "zang"},   {"隗", "wei"},   {"重", "chong"},   {"长孙", "zhangsun"},
      {"長孫", "zhangsun"}, {"尉迟", "yuchi"}, {"尉遲", "yuchi"}, {"万俟", "moqi"}, {"单于", "chanyu"},
      {"單于", "chanyu"}};
  if (auto it = readings.find(family); it != readings.end()) return std::string(it->second);
  return latinPart(family);
}

void phoneticOf(const std::string& key, NameResult& r) {
  size_t start = 0;
  while (start < key.size()) {
    size_t end = key.find(' ', start);
    if (end == std::string::npos) end = key.size();
    std::string word;
    for (char c : key.substr(start, end - start)) {
      if (c >= 'a' && c <= 'z') word += c;
    }
    start = end + 1;
    auto code = doubleMetaphone(word);
    if (code.primary.empty() && code.alternate.empty()) continue;
    if (!r.phoneticPrimary.empty()) {
      r.phoneticPrimary += ' ';
      r.phoneticAlternate += ' ';
    }
    r.phoneticPrimary += code.primary.empty() ? "-" : code.primary;
    r.phoneticAlternate += code.alternate.empty() ? "-" : code.alternate;
  }
}

}  // namespace

NameResult normalizeName(std::string_view raw) {
  NameResult r;
  r.raw = std::string(raw);
  if (!isValidUtf8(raw)) {
    r.full = r.raw;
    r.reason = "invalid UTF-8";
    return r;
  }
  std::string text = trim(nfkc(trim(raw)));
  r.full = text;
  if (text.empty()) {
    r.reason = "empty";
    return r;
  }
  std::u32string u = toUtf32(text);
  if (u.find(U'@') != std::u32string::npos) {
    r.reason = "looks like an e-mail address";
    return r;
  }
  if (std::any_of(u.begin(), u.end(), detail::isDigit)) {
    r.reason = "contains digits";
    return r;
  }
  auto parts = tokenize(u);
  if (parts.empty()) {
    r.reason = "no letters";
    return r;
  }

  // Suffixes: a whole part ("Smith, John, Jr.") or the last words of the last part.
  std::vector<std::string> suffixes;
  while (parts.size() > 1 && std::all_of(parts.back().begin(), parts.back().end(),
                                         [](const Token& t) { return findSuffix(t) != nullptr; })) {
    for (const auto& t : parts.back()) suffixes.insert(suffixes.begin(), findSuffix(t)->display);
    parts.pop_back();
  }
  while (parts.back().size() > 1 && findSuffix(parts.back().back())) {
    suffixes.insert(suffixes.begin(), findSuffix(parts.back().back())->display);
    parts.back().pop_back();
  }
  for (const auto& s : suffixes) r.suffix += (r.suffix.empty() ? "" : " ") + s;

  // Titles: the leading words of each part, as long as a word is left.
  bool onlyTitles = true;
  for (auto& part : parts) {
    while (!part.empty() && contains(kHonorifics, std::u32string_view(foldToken(part.front())))) {
      if (part.size() == 1) break;
      part.erase(part.begin());
    }
    if (!(part.size() == 1 && contains(kHonorifics, std::u32string_view(foldToken(part.front()))))) {
      onlyTitles = false;
    }
  }
  if (onlyTitles) {
    r.reason = "only a title";
    return r;
  }
  for (auto& part : parts) {
    for (auto& t : part) stripCjkHonorific(t);
    if (part.size() > 1 && contains(kCjkHonorifics, std::u32string_view(part.back()))) part.pop_back();
  }

  const bool cjk = allCjk(parts);
  std::vector<Token> family, given;
  if (parts.size() >= 2) {  // "Zhang, Wei": family name first
    family = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) given.insert(given.end(), parts[i].begin(), parts[i].end());
  } else if (cjk) {
    const Part& p = parts[0];
    if (p.size() == 1) {
      Token f, g;
      splitCjk(p[0], f, g);
      family.push_back(f);
      if (!g.empty()) given.push_back(g);
    } else {  // "山田 太郎", "张 伟": family name first, as written
      family.push_back(p[0]);
      given.assign(p.begin() + 1, p.end());
    }
  } else {
    const Part& p = parts[0];
    const bool anyNotCaps = std::any_of(p.begin(), p.end(), [](const Token& t) { return !isAllCaps(t); });
    if (p.size() == 1) {
      family = p;
    } else if (isAllCaps(p.front()) && anyNotCaps) {  // "ZHANG Wei": the family name is the one in capitals
      family.push_back(p.front());
      given.assign(p.begin() + 1, p.end());
    } else {
      size_t split = p.size() - 1;
      while (split > 1 && contains(kParticles, std::u32string_view(foldToken(p[split - 1])))) --split;
      given.assign(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(split));
      family.assign(p.begin() + static_cast<std::ptrdiff_t>(split), p.end());
    }
  }

  if (cjk) {
    r.family = toUtf8(join(family, U""));
    r.given = toUtf8(join(given, U""));
    r.full = r.family + r.given;
  } else {
    auto display = [](std::vector<Token> words, bool particlesLower) {
      for (size_t i = 0; i < words.size(); ++i) {
        auto folded = foldToken(words[i]);
        if (particlesLower && i + 1 < words.size() && contains(kParticles, std::u32string_view(folded))) {
          words[i] = folded;
        } else {
          words[i] = displayCase(words[i]);
        }
      }
      return words;
    };
    r.family = toUtf8(join(display(family, true), U" "));
    r.given = toUtf8(join(display(given, false), U" "));
    r.full = r.given.empty() ? r.family : r.given + " " + r.family;
    if (!r.suffix.empty()) r.full += " " + r.suffix;
  }
  r.key = keyOf(family, given, cjk);
  if (!cjk && allLatin(parts)) phoneticOf(r.key, r);
  {
    // Words in byte order, so that the order a source wrote the name in does not matter either.
    std::vector<std::string> words;
    auto addWords = [&](const std::string& part) {
      size_t start = 0;
      while (start < part.size()) {
        size_t end = part.find(' ', start);
        if (end == std::string::npos) end = part.size();
        if (end > start) words.emplace_back(part.substr(start, end - start));
        start = end + 1;
      }
    };
    if (cjk) {
      addWords(familyLatin(r.family));
      addWords(latinPart(r.given));
    } else {
      addWords(r.key);
    }
    std::sort(words.begin(), words.end());
    for (const auto& w : words) r.latin += (r.latin.empty() ? "" : " ") + w;
  }
  r.valid = true;
  return r;
}

}  // namespace crmsync::normalize
