// Phone normalization cost per value: libphonenumber called directly (Parse + IsValidNumber + Format(E164), what
// PhoneNormalizer did before its fast path) against PhoneNormalizer::normalize, on a realistic mix of CRM inputs:
// the formats of bench/gen's contact generator (CN, US, GB, DE landlines and mobiles, national and international,
// some extensions and junk) with varying digits. Checks both give the same answers, then prints µs/op and the
// speedup; the last line is the same figures as one JSON object.
//
//   build/bin/phone_bench [--values N] [--seconds S]
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/normalize/phone.hpp"

namespace {

using crmsync::normalize::PhoneNormalizer;
using crmsync::normalize::PhoneResult;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

struct Rng {  // splitmix64: same inputs on every machine
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  std::string digits(int n, char first = '0') {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>((i == 0 ? first : '0') + below(i == 0 ? 10 - (first - '0') : 10));
    return s;
  }
};

struct Value {
  std::string text;
  std::string region;
};

// A template's '#' become random digits, '@' random digits 2-9.
std::string fill(Rng& rng, std::string_view pattern) {
  std::string out;
  for (char c : pattern) {
    if (c == '#') {
      out += static_cast<char>('0' + rng.below(10));
    } else if (c == '@') {
      out += static_cast<char>('2' + rng.below(8));
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<Value> makeValues(std::size_t n) {
  struct Template {
    const char* pattern;
    const char* region;
    int weight;
  };
  static const Template templates[] = {
      // CN: the brief's examples first, then the generator's other writings.
      {"+86 138 #### ####", "CN", 6}, {"138########", "CN", 6},        {"(010) 6@##-####", "CN", 4},
      {"+86 139 #### ####", "CN", 2}, {"+86135########", "CN", 2},    {"0086 136########", "CN", 1},
      {"150-####-####", "CN", 2},     {"010-6@######", "CN", 2},      {"0755 8@## ####", "CN", 2},
      {"+86 21 6@## ####", "CN", 2},  {"+86-10-6@######", "CN", 1},   {"021@#######", "CN", 1},
      // US
      {"+1 (415) @##-####", "CN", 4}, {"(212) @##-####", "US", 3},    {"650-@##-####", "US", 2},
      {"312.@##.####", "US", 1},      {"+1 617 @## ####", "US", 2},   {"1-206-@##-####", "US", 1},
      {"+1305@######", "US", 1},      {"(415) @##-#### x##", "US", 1},
      // GB
      {"020 7946 0###", "GB", 6},     {"+44 20 7946 0###", "GB", 2},  {"+44 (0)161 496 0###", "GB", 1},
      {"07911 ######", "GB", 3},      {"+44 7700 9#####", "GB", 2},   {"0113 496 0###", "GB", 1},
      // DE
      {"030 1234567", "DE", 2},       {"030 @######", "DE", 4},       {"+49 30 @#######", "DE", 2},
      {"089/@#######", "DE", 1},      {"0151 2#######", "DE", 2},     {"+49 171 #######", "DE", 2},
      {"(040) @######", "DE", 1},
      // Junk seen in CRM exports.
      {"n/a", "CN", 1},               {"123", "US", 1},
  };
  int total = 0;
  for (const auto& t : templates) total += t.weight;
  Rng rng{42};
  std::vector<Value> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    int pick = static_cast<int>(rng.below(static_cast<std::size_t>(total)));
    for (const auto& t : templates) {
      if ((pick -= t.weight) < 0) {
        out.push_back({fill(rng, t.pattern), t.region});
        break;
      }
    }
  }
  return out;
}

// What PhoneNormalizer did before: libphonenumber for every value.
PhoneResult viaLibphonenumber(const PhoneNumberUtil& util, const Value& v) {
  PhoneResult r;
  PhoneNumber parsed;
  if (util.Parse(v.text, v.region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return r;
  if (parsed.has_extension()) r.extension = parsed.extension();
  if (!util.IsValidNumber(parsed)) return r;
  util.Format(parsed, PhoneNumberUtil::E164, &r.e164);
  r.valid = true;
  return r;
}

template <class F>
double microsPerOp(const std::vector<Value>& values, double seconds, F&& f) {
  using Clock = std::chrono::steady_clock;
  std::size_t ops = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (const Value& v : values) f(v);
    ops += values.size();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return elapsed * 1e6 / static_cast<double>(ops);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 20000;
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--values") {
      count = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (a == "--seconds") {
      seconds = std::strtod(argv[i + 1], nullptr);
    } else {
      std::fprintf(stderr, "usage: phone_bench [--values N] [--seconds S]\n");
      return 2;
    }
  }
  const auto values = makeValues(count);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const auto constructStart = std::chrono::steady_clock::now();
  PhoneNormalizer normalizer;
  const double constructMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - constructStart).count();

  // Same answers (valid flag, E.164, extension) before timing anything.
  std::size_t valid = 0, mismatches = 0;
  for (const Value& v : values) {
    const PhoneResult a = viaLibphonenumber(util, v);
    const PhoneResult b = normalizer.normalize(v.text, v.region);
    if (a.valid != b.valid || a.e164 != b.e164 || a.extension != b.extension) {
      if (++mismatches <= 5) std::fprintf(stderr, "MISMATCH \"%s\" %s: %s vs %s\n", v.text.c_str(), v.region.c_str(),
                                          a.e164.c_str(), b.e164.c_str());
    }
    if (b.valid) ++valid;
  }

  std::size_t sink = 0;
  const double lib = microsPerOp(values, seconds, [&](const Value& v) { sink += viaLibphonenumber(util, v).e164.size(); });
  const double fast = microsPerOp(values, seconds, [&](const Value& v) {
    sink += normalizer.normalize(v.text, v.region).e164.size();
  });
  std::printf("values            %zu (%zu valid), mismatches %zu\n", values.size(), valid, mismatches);
  std::printf("PhoneNormalizer() %.1f ms (first construction: metadata + pattern compilation)\n", constructMs);
  std::printf("libphonenumber    %.3f us/op  (Parse + IsValidNumber + Format)\n", lib);
  std::printf("PhoneNormalizer   %.3f us/op\n", fast);
  std::printf("speedup           %.1fx\n", lib / fast);
  std::printf("{\"values\": %zu, \"valid\": %zu, \"mismatches\": %zu, \"libphonenumber_us_per_op\": %.3f, "
              "\"normalizer_us_per_op\": %.3f, \"speedup\": %.2f, \"checksum\": %zu}\n",
              values.size(), valid, mismatches, lib, fast, lib / fast, sink);
  return mismatches == 0 ? 0 : 1;
}
