#include "crmsync/match/comparators.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "match/utf8_decode.hpp"

namespace crmsync::match {
namespace {

using detail::CodePoints;

// Runs f over the two strings as arrays of code units: bytes when both are ASCII (the common case for Latin
// names, and no decoding cost), code points otherwise. f is generic over the unit type.
template <typename F>
auto withCodeUnits(std::string_view a, std::string_view b, F&& f) {
  if (detail::isAscii(a) && detail::isAscii(b)) {
    return f(reinterpret_cast<const unsigned char*>(a.data()), a.size(),
             reinterpret_cast<const unsigned char*>(b.data()), b.size());
  }
  CodePoints ca(a);
  CodePoints cb(b);
  return f(ca.data(), ca.size(), cb.data(), cb.size());
}

// Scratch storage that stays on the stack for name-sized inputs.
template <typename T, size_t N>
class Scratch {
 public:
  explicit Scratch(size_t n) {
    if (n > N) {
      heap_.resize(n);
      data_ = heap_.data();
    }
  }
  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  T stack_[N];
  std::vector<T> heap_;
  T* data_ = stack_;
};

template <typename C>
double jaroUnits(const C* a, size_t la, const C* b, size_t lb) {
  if (la == 0 && lb == 0) return 1.0;
  if (la == 0 || lb == 0) return 0.0;
  const size_t longer = std::max(la, lb);
  const size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
  Scratch<uint8_t, 128> aFlag(la);
  Scratch<uint8_t, 128> bFlag(lb);
  std::memset(aFlag.data(), 0, la);
  std::memset(bFlag.data(), 0, lb);
  size_t matches = 0;
  for (size_t i = 0; i < la; ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(i + window + 1, lb);
    for (size_t j = lo; j < hi; ++j) {
      if (!bFlag[j] && a[i] == b[j]) {
        aFlag[i] = 1;
        bFlag[j] = 1;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t halfTranspositions = 0;
  size_t k = 0;
  for (size_t i = 0; i < la; ++i) {
    if (!aFlag[i]) continue;
    while (!bFlag[k]) ++k;
    if (a[i] != b[k]) ++halfTranspositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(halfTranspositions / 2);
  return (m / static_cast<double>(la) + m / static_cast<double>(lb) + (m - t) / m) / 3.0;
}

// Pattern-match vectors for the bit-parallel edit distance: bit i of peq(c) is set when pattern[i] == c.
// The ASCII table is thread-local and kept all-zero between calls (only the pattern's entries are set and
// then cleared), so a call costs O(pattern) instead of a 2 KiB clear.
class AsciiPeq {
 public:
  AsciiPeq(const unsigned char* p, size_t m) : p_(p), m_(m) {
    for (size_t i = 0; i < m; ++i) table()[p[i]] |= uint64_t{1} << i;
  }
  ~AsciiPeq() {
    for (size_t i = 0; i < m_; ++i) table()[p_[i]] = 0;
  }
  AsciiPeq(const AsciiPeq&) = delete;
  AsciiPeq& operator=(const AsciiPeq&) = delete;
  uint64_t operator()(unsigned char c) const { return table()[c]; }

 private:
  static uint64_t* table() {
    thread_local uint64_t t[256] = {};
    return t;
  }
  const unsigned char* p_;
  size_t m_;
};

// The same for code points: open addressing over a power-of-two table at most half full. Sized to the pattern
// so that a short CJK name initialises a few slots, not the whole table.
class CodePointPeq {
 public:
  CodePointPeq(const char32_t* p, size_t m) : mask_(std::bit_ceil(std::max<size_t>(2 * m, 8)) - 1) {
    std::fill(keys_, keys_ + mask_ + 1, kEmpty);
    std::fill(masks_, masks_ + mask_ + 1, uint64_t{0});
    for (size_t i = 0; i < m; ++i) {
      size_t s = slot(p[i]);
      keys_[s] = p[i];
      masks_[s] |= uint64_t{1} << i;
    }
  }
  uint64_t operator()(char32_t c) const {
    const size_t s = slot(c);
    return keys_[s] == c ? masks_[s] : 0;
  }

 private:
  static constexpr char32_t kEmpty = 0xFFFFFFFF;
  size_t slot(char32_t c) const {
    size_t s = (static_cast<size_t>(c) * 0x9E3779B1u >> 12) & mask_;
    while (keys_[s] != kEmpty && keys_[s] != c) s = (s + 1) & mask_;
    return s;
  }
  size_t mask_;
  char32_t keys_[128];
  uint64_t masks_[128];
};

// Myers' bit-vector edit distance in Hyyrö's formulation; the pattern has 1..64 units.
template <typename C, typename Peq>
size_t myersDistance(size_t m, const C* text, size_t n, const Peq& peq) {
  uint64_t pv = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;
  uint64_t mv = 0;
  const uint64_t last = uint64_t{1} << (m - 1);
  size_t score = m;
  for (size_t j = 0; j < n; ++j) {
    const uint64_t eq = peq(text[j]);
    const uint64_t xv = eq | mv;
    const uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
    uint64_t ph = mv | ~(xh | pv);
    uint64_t mh = pv & xh;
    if (ph & last) {
      ++score;
    } else if (mh & last) {
      --score;
    }
    ph = (ph << 1) | 1;
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  return score;
}

// Jaro with the "first unmatched equal character in the window" search done on bit masks: the candidate
// positions of b for a[i] are peq(a[i]) restricted to the window and to unmatched positions, and the greedy
// choice is the lowest set bit. Same result as the scalar loop, without its data-dependent branches.
template <typename C, typename Peq>
double jaroBits(const C* a, size_t la, const C* b, size_t lb, const Peq& peq) {
  const size_t longer = std::max(la, lb);
  const size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
  uint64_t aMatched = 0;
  uint64_t bMatched = 0;
  size_t matches = 0;
  for (size_t i = 0; i < la; ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(i + window + 1, lb);
    if (lo >= hi) continue;
    const uint64_t upTo = hi >= 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
    const uint64_t mask = upTo & ~((uint64_t{1} << lo) - 1);
    const uint64_t candidates = peq(a[i]) & ~bMatched & mask;
    if (candidates) {
      bMatched |= candidates & (~candidates + 1);
      aMatched |= uint64_t{1} << i;
      ++matches;
    }
  }
  if (matches == 0) return 0.0;
  size_t halfTranspositions = 0;
  while (aMatched) {
    const int i = std::countr_zero(aMatched);
    const int j = std::countr_zero(bMatched);
    if (a[i] != b[j]) ++halfTranspositions;
    aMatched &= aMatched - 1;
    bMatched &= bMatched - 1;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(halfTranspositions / 2);
  return (m / static_cast<double>(la) + m / static_cast<double>(lb) + (m - t) / m) / 3.0;
}

// Optimal string alignment distance, bit-parallel (Hyyrö's extension of Myers' algorithm with a transposition
// term); the pattern has 1..64 units.
template <typename C, typename Peq>
size_t osaBits(size_t m, const C* text, size_t n, const Peq& peq) {
  uint64_t vp = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;
  uint64_t vn = 0;
  uint64_t d0 = 0;
  uint64_t previousEq = 0;
  const uint64_t last = uint64_t{1} << (m - 1);
  size_t score = m;
  for (size_t j = 0; j < n; ++j) {
    const uint64_t eq = peq(text[j]);
    const uint64_t tr = (((~d0) & eq) << 1) & previousEq;
    d0 = (((eq & vp) + vp) ^ vp) | eq | vn | tr;
    uint64_t hp = vn | ~(d0 | vp);
    uint64_t hn = d0 & vp;
    if (hp & last) {
      ++score;
    } else if (hn & last) {
      --score;
    }
    hp = (hp << 1) | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
    previousEq = eq;
  }
  return score;
}

template <typename C>
size_t rowDistance(const C* a, size_t la, const C* b, size_t lb) {
  std::vector<size_t> row(lb + 1);
  for (size_t j = 0; j <= lb; ++j) row[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; ++j) {
      const size_t up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[lb];
}

template <typename C>
size_t osaUnits(const C* a, size_t la, const C* b, size_t lb);

double jaroDispatch(const unsigned char* a, size_t la, const unsigned char* b, size_t lb) {
  if (la == 0 || lb == 0 || la > 64 || lb > 64) return jaroUnits(a, la, b, lb);
  AsciiPeq peq(b, lb);
  return jaroBits(a, la, b, lb, peq);
}

double jaroDispatch(const char32_t* a, size_t la, const char32_t* b, size_t lb) {
  if (la == 0 || lb == 0 || la > 64 || lb > 64) return jaroUnits(a, la, b, lb);
  CodePointPeq peq(b, lb);
  return jaroBits(a, la, b, lb, peq);
}

size_t osaDispatch(const unsigned char* a, size_t la, const unsigned char* b, size_t lb) {
  if (la > lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (la == 0) return lb;
  if (la > 64) return osaUnits(a, la, b, lb);
  AsciiPeq peq(a, la);
  return osaBits(la, b, lb, peq);
}

size_t osaDispatch(const char32_t* a, size_t la, const char32_t* b, size_t lb) {
  if (la > lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (la == 0) return lb;
  if (la > 64) return osaUnits(a, la, b, lb);
  CodePointPeq peq(a, la);
  return osaBits(la, b, lb, peq);
}

size_t levenshteinUnits(const unsigned char* a, size_t la, const unsigned char* b, size_t lb) {
  if (la > lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (la == 0) return lb;
  if (la > 64) return rowDistance(a, la, b, lb);
  AsciiPeq peq(a, la);
  return myersDistance(la, b, lb, peq);
}

size_t levenshteinUnits(const char32_t* a, size_t la, const char32_t* b, size_t lb) {
  if (la > lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (la == 0) return lb;
  if (la > 64) return rowDistance(a, la, b, lb);
  CodePointPeq peq(a, la);
  return myersDistance(la, b, lb, peq);
}

template <typename C>
size_t osaUnits(const C* a, size_t la, const C* b, size_t lb) {
  if (la == 0) return lb;
  if (lb == 0) return la;
  const size_t w = lb + 1;
  Scratch<uint32_t, 3 * 65> rows(3 * w);
  uint32_t* prev2 = rows.data();
  uint32_t* prev = prev2 + w;
  uint32_t* cur = prev + w;
  for (size_t j = 0; j <= lb; ++j) prev[j] = static_cast<uint32_t>(j);
  for (size_t i = 1; i <= la; ++i) {
    cur[0] = static_cast<uint32_t>(i);
    for (size_t j = 1; j <= lb; ++j) {
      const uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      uint32_t d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    uint32_t* t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb];
}

double normalized(size_t distance, size_t la, size_t lb) {
  const size_t longer = std::max(la, lb);
  if (longer == 0) return 1.0;
  return 1.0 - static_cast<double>(distance) / static_cast<double>(longer);
}

void sortedTokens(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  detail::forEachToken(s, [&](std::string_view t) { out.push_back(t); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int digitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

int daysInMonth(int32_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool isYearTypo(int32_t a, int32_t b) {
  if (a == b || a < 0 || b < 0) return false;
  const std::string sa = std::to_string(a);
  const std::string sb = std::to_string(b);
  if (sa.size() != sb.size()) return false;
  size_t first = std::string::npos;
  size_t count = 0;
  for (size_t i = 0; i < sa.size(); ++i) {
    if (sa[i] != sb[i]) {
      if (count == 0) first = i;
      ++count;
    }
  }
  if (count == 1) return true;
  return count == 2 && first + 1 < sa.size() && sa[first] == sb[first + 1] && sa[first + 1] == sb[first];
}

}  // namespace

double exactSimilarity(std::string_view a, std::string_view b) { return a == b ? 1.0 : 0.0; }

double jaroSimilarity(std::string_view a, std::string_view b) {
  return withCodeUnits(a, b, [](const auto* x, size_t lx, const auto* y, size_t ly) {
    return jaroDispatch(x, lx, y, ly);
  });
}

double jaroWinklerSimilarity(std::string_view a, std::string_view b, const JaroWinklerOptions& options) {
  return withCodeUnits(a, b, [&](const auto* x, size_t lx, const auto* y, size_t ly) {
    const double j = jaroDispatch(x, lx, y, ly);
    if (j <= options.boostThreshold) return j;
    const size_t limit = std::min({options.maxPrefix, lx, ly});
    size_t prefix = 0;
    while (prefix < limit && x[prefix] == y[prefix]) ++prefix;
    return std::min(1.0, j + static_cast<double>(prefix) * options.prefixScale * (1.0 - j));
  });
}

size_t levenshteinDistance(std::string_view a, std::string_view b) {
  return withCodeUnits(a, b, [](const auto* x, size_t lx, const auto* y, size_t ly) {
    return levenshteinUnits(x, lx, y, ly);
  });
}

double levenshteinSimilarity(std::string_view a, std::string_view b) {
  return withCodeUnits(a, b, [](const auto* x, size_t lx, const auto* y, size_t ly) {
    return normalized(levenshteinUnits(x, lx, y, ly), lx, ly);
  });
}

size_t damerauDistance(std::string_view a, std::string_view b) {
  return withCodeUnits(a, b, [](const auto* x, size_t lx, const auto* y, size_t ly) {
    return osaDispatch(x, lx, y, ly);
  });
}

double damerauSimilarity(std::string_view a, std::string_view b) {
  return withCodeUnits(a, b, [](const auto* x, size_t lx, const auto* y, size_t ly) {
    return normalized(osaDispatch(x, lx, y, ly), lx, ly);
  });
}

double tokenSetSimilarity(std::string_view a, std::string_view b, TokenSetMode mode) {
  // Reused per thread so that steady-state comparison does not allocate.
  thread_local std::vector<std::string_view> ta;
  thread_local std::vector<std::string_view> tb;
  sortedTokens(a, ta);
  sortedTokens(b, tb);
  if (ta.empty() && tb.empty()) return 1.0;
  if (ta.empty() || tb.empty()) return 0.0;
  size_t common = 0;
  for (size_t i = 0, j = 0; i < ta.size() && j < tb.size();) {
    if (ta[i] == tb[j]) {
      ++common;
      ++i;
      ++j;
    } else if (ta[i] < tb[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const double c = static_cast<double>(common);
  if (mode == TokenSetMode::kOverlap) return c / static_cast<double>(std::min(ta.size(), tb.size()));
  return c / static_cast<double>(ta.size() + tb.size() - common);
}

double phoneticSimilarity(std::string_view a, std::string_view b) {
  auto forEachCode = [](std::string_view key, auto&& f) {
    size_t start = 0;
    while (start <= key.size()) {
      size_t bar = key.find('|', start);
      if (bar == std::string_view::npos) bar = key.size();
      if (bar > start && f(key.substr(start, bar - start))) return true;
      start = bar + 1;
    }
    return false;
  };
  const bool any = forEachCode(a, [&](std::string_view ca) {
    return forEachCode(b, [&](std::string_view cb) { return ca == cb; });
  });
  return any ? 1.0 : 0.0;
}

double numericSimilarity(double a, double b, const NumericOptions& options) {
  if (std::isnan(a) || std::isnan(b)) return 0.0;
  if (a == b) return 1.0;
  double diff = std::fabs(a - b);
  if (options.relative) {
    const double denom = std::max(std::fabs(a), std::fabs(b));
    diff = denom == 0.0 ? 0.0 : diff / denom;
  }
  if (!(options.scale > 0.0)) return diff == 0.0 ? 1.0 : 0.0;
  const double s = 1.0 - diff / options.scale;
  return s > 0.0 ? s : 0.0;
}

std::optional<double> parseNumber(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<CivilDate> parseIsoDate(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string_view y, m, d, rest;
  auto allDigits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), isDigit); };
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    y = text.substr(0, 4);
    m = text.substr(5, 2);
    d = text.substr(8, 2);
    rest = text.substr(10);
  } else if (text.size() >= 8 && allDigits(text.substr(0, 8))) {
    y = text.substr(0, 4);
    m = text.substr(4, 2);
    d = text.substr(6, 2);
    rest = text.substr(8);
  } else {
    return std::nullopt;
  }
  if (!allDigits(y) || !allDigits(m) || !allDigits(d)) return std::nullopt;
  if (!rest.empty() && rest.front() != 'T' && rest.front() != 't' && rest.front() != ' ') return std::nullopt;
  CivilDate date;
  date.year = digitsValue(y);
  const int month = digitsValue(m);
  const int day = digitsValue(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(date.year, month)) return std::nullopt;
  date.month = static_cast<uint8_t>(month);
  date.day = static_cast<uint8_t>(day);
  return date;
}

int64_t daysFromCivil(const CivilDate& date) {
  // Counts in 400-year eras starting in March, so the leap day is the last day of the counted year.
  const int64_t m = date.month;
  const int64_t y = static_cast<int64_t>(date.year) - (m <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yearOfEra = y - era * 400;
  const int64_t dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + date.day - 1;
  const int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

double dateSimilarity(const CivilDate& a, const CivilDate& b, const DateOptions& options) {
  const double days = static_cast<double>(std::llabs(daysFromCivil(a) - daysFromCivil(b)));
  double sim = 0.0;
  if (days == 0.0) {
    sim = 1.0;
  } else if (options.scaleDays > 0.0) {
    sim = std::max(0.0, 1.0 - days / options.scaleDays);
  }
  if (options.dayMonthSwapSimilarity > 0.0 && a.year == b.year && a.month == b.day && a.day == b.month &&
      a.month != a.day) {
    sim = std::max(sim, options.dayMonthSwapSimilarity);
  }
  if (options.yearTypoSimilarity > 0.0 && a.month == b.month && a.day == b.day && isYearTypo(a.year, b.year)) {
    sim = std::max(sim, options.yearTypoSimilarity);
  }
  return std::min(sim, 1.0);
}

std::optional<double> dateSimilarity(std::string_view a, std::string_view b, const DateOptions& options) {
  const auto da = parseIsoDate(a);
  const auto db = parseIsoDate(b);
  if (!da || !db) return std::nullopt;
  return dateSimilarity(*da, *db, options);
}

}  // namespace crmsync::match
