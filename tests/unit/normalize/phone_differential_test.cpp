// Differential test of the phone fast path: a quarter of a million deterministic, varied inputs (many regions,
// national and international writing, with and without trunk prefix or IDD, mutated and random digits, all kinds
// of separators, plus some inputs the fast path must leave to libphonenumber) must give exactly libphonenumber's
// answer: valid flag, E.164 text, extension and reason.
#include <gtest/gtest.h>

#include <phonenumbers/phonemetadata.pb.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "crmsync/normalize/phone.hpp"
#include "normalize/phone_fast_path.hpp"
#include "unit/normalize/phone_reference.hpp"

namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace crmsync::normalize {
namespace {

using testing::describe;
using testing::referenceNormalize;
using testing::samePhoneResult;

// splitmix64: the same sequence on every platform and standard library.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool percent(int p) { return below(100) < static_cast<std::size_t>(p); }
  char digit() { return static_cast<char>('0' + below(10)); }
  std::string digits(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += digit();
    return s;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
};

struct RegionInfo {
  std::string id;
  std::string cc;
  std::string trunk;  // national prefix, may be empty
  std::string idd;    // a diallable international prefix from this region
  std::vector<std::string> examples;
};

std::map<std::string, RegionInfo> loadRegions() {
  i18n::phonenumbers::PhoneMetadataCollection collection;
  EXPECT_TRUE(collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()));
  std::map<std::string, RegionInfo> out;
  for (const auto& m : collection.metadata()) {
    RegionInfo r;
    r.id = m.id() == "001" ? "001/" + std::to_string(m.country_code()) : m.id();
    r.cc = std::to_string(m.country_code());
    r.trunk = m.national_prefix();
    std::string idd = m.preferred_international_prefix().empty() ? m.international_prefix()
                                                                  : m.preferred_international_prefix();
    for (char c : idd) {
      if (c >= '0' && c <= '9') {
        r.idd += c;
      } else if (c != '~') {
        r.idd.clear();  // a pattern, not a single prefix
        break;
      }
    }
    if (r.idd.empty()) r.idd = "00";
    for (const auto* d : {&m.fixed_line(), &m.mobile(), &m.toll_free(), &m.premium_rate(), &m.shared_cost(),
                          &m.personal_number(), &m.voip(), &m.pager(), &m.uan(), &m.voicemail()}) {
      if (!d->example_number().empty()) r.examples.push_back(d->example_number());
    }
    if (r.examples.empty()) r.examples.push_back("12345678");
    out.emplace(r.id, r);
  }
  return out;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_{seed}, regions_(loadRegions()) {
    for (const char* id : {"CN", "US", "GB", "DE", "FR", "JP", "IN", "BR", "AU", "RU", "IT", "HK", "TW", "SG"}) {
      focus_.push_back(id);
    }
    for (const char* id : {"MX", "AR", "CA", "KZ", "GG", "JE", "IM", "AG", "BS", "PR", "GA", "NF", "SM", "VA",
                           "MG", "CC", "CX", "KR", "ES", "NL", "CH", "AT", "BE", "SE", "NO", "PL", "ZA", "NG",
                           "EG", "AE", "SA", "ID", "MY", "TH", "VN", "PH", "NZ", "IE", "PT", "GR", "TR", "IL",
                           "UA", "BY", "UZ", "CO", "CL", "PE", "VE", "FI", "DK", "HU", "CZ", "RO", "PK", "BD",
                           "LK", "KE", "MA", "DZ", "IR", "IQ", "MO", "KP", "SX", "GU", "AX", "RE", "YT", "TA",
                           "SH", "EH", "001/800", "001/808", "001/870", "001/881", "001/882", "001/883",
                           "001/888", "001/979"}) {
      extra_.push_back(id);
    }
    for (const auto& [id, info] : regions_) all_.push_back(id);
  }

  struct Case {
    std::string input;
    std::string region;
  };

  Case next() {
    Case c;
    const std::string& defaultId = pickRegionId(true);
    const RegionInfo& def = regions_.at(defaultId);
    c.region = def.id.rfind("001", 0) == 0 ? "001" : def.id;
    const std::size_t unusualRegion = rng_.below(100);
    if (unusualRegion < 3) c.region = rng_.pick(std::vector<std::string>{"", "XX", "cn", "ZZ", "001", "USA"});

    const RegionInfo& num = rng_.percent(60) ? def : regions_.at(pickRegionId(false));
    std::string nsn = mutate(rng_.pick(num.examples));

    std::vector<std::string> parts;  // joined with separators below; "+" stays glued to what follows
    bool plus = false;
    switch (rng_.below(12)) {
      case 0:
      case 1:  // national, with the trunk prefix when there is one
        if (!num.trunk.empty()) parts.push_back(num.trunk);
        splitInto(nsn, parts);
        break;
      case 2:  // national without trunk prefix
        splitInto(nsn, parts);
        break;
      case 3:
      case 4:  // +cc nsn
        plus = true;
        parts.push_back(num.cc);
        splitInto(nsn, parts);
        break;
      case 5:  // +cc (trunk) nsn, as in "+44 (0)20 ..."
        plus = true;
        parts.push_back(num.cc);
        parts.push_back("(" + (num.trunk.empty() ? std::string("0") : num.trunk) + ")");
        splitInto(nsn, parts);
        break;
      case 6:  // IDD of the default region, then cc nsn
        parts.push_back(rng_.percent(80) ? def.idd : rng_.pick(std::vector<std::string>{"00", "011", "810", "0011",
                                                                                          "010", "001", "002"}));
        parts.push_back(num.cc);
        splitInto(nsn, parts);
        break;
      case 7:  // the calling code without '+', sometimes followed by the trunk prefix
        parts.push_back(num.cc);
        if (rng_.percent(30) && !num.trunk.empty()) parts.push_back(num.trunk);
        splitInto(nsn, parts);
        break;
      case 8:  // random digits behind a random prefix
      {
        static const std::vector<std::string> prefixes = {"",   "",    "+",  "0",   "00", "011", "+0", "+00",
                                                          "8",  "810", "1",  "01",  "9",  "15",  "+1", "+7",
                                                          "+44", "+86", "86", "+39", "39", "44",  "+800"};
        std::string p = rng_.pick(prefixes);
        if (!p.empty() && p[0] == '+') {
          plus = true;
          p.erase(0, 1);
        }
        if (!p.empty()) parts.push_back(p);
        splitInto(rng_.digits(1 + rng_.below(19)), parts);
        break;
      }
      case 9:
      case 10:  // forms specific to some regions' national prefixes and transform rules
        special(def, nsn, parts, plus);
        break;
      default:  // the example as-is, national or international
        if (rng_.percent(50)) {
          plus = true;
          parts.push_back(num.cc);
        }
        parts.push_back(nsn);
        break;
    }
    c.input = join(parts, plus);
    if (rng_.percent(5)) c.input += extension();
    if (rng_.percent(1)) c.input = rng_.pick(std::vector<std::string>{"n/a", "unknown", "TBD", "call reception", "-",
                                                                     " N/A ", "none", "?", "xxx", "ext", "x", "+x",
                                                                     "()", "+ - +", "tel:", "#", "n\\a", "~"});
    if (rng_.percent(8)) decorate(c.input);
    return c;
  }

 private:
  const std::string& pickRegionId(bool forDefault) {
    const std::size_t r = rng_.below(100);
    if (r < (forDefault ? 70u : 45u)) return rng_.pick(focus_);
    if (r < 90) return rng_.pick(extra_);
    return rng_.pick(all_);
  }

  std::string mutate(std::string nsn) {
    switch (rng_.below(10)) {
      case 0:
      case 1:
      case 2:  // as is
        return nsn;
      case 3:
      case 4:
      case 5:
      case 6: {  // same prefix, other digits: mostly valid numbers, some not
        const std::size_t keep = 1 + rng_.below(nsn.size());
        return nsn.substr(0, keep) + rng_.digits(nsn.size() - keep);
      }
      case 7:  // a digit or two more
        return nsn + rng_.digits(1 + rng_.below(2));
      case 8:  // a digit or two less
        return nsn.substr(0, nsn.size() > 3 ? nsn.size() - 1 - rng_.below(2) : nsn.size());
      default:  // anything
        return rng_.digits(2 + rng_.below(14));
    }
  }

  // Cuts digits into groups the way people write them (or not at all).
  void splitInto(const std::string& digits, std::vector<std::string>& parts) {
    if (rng_.percent(25) || digits.size() < 4) {
      parts.push_back(digits);
      return;
    }
    std::size_t i = 0;
    while (i < digits.size()) {
      std::size_t len = 2 + rng_.below(3);
      if (digits.size() - i <= len + 1) len = digits.size() - i;
      parts.push_back(digits.substr(i, len));
      i += len;
    }
  }

  void special(const RegionInfo& def, const std::string& nsn, std::vector<std::string>& parts, bool& plus) {
    const std::string& id = def.id;
    if (id == "AR") {  // 0 + area + 15 + local, rewritten to 9 + area + local by the transform rule
      parts.push_back("0" + rng_.pick(std::vector<std::string>{"11", "221", "351", "2652", "379", "3833"}));
      parts.push_back("15");
      splitInto(rng_.digits(6 + rng_.below(3)), parts);
    } else if (id == "BR") {  // 0 + carrier + area + number, kept as area + number by the transform rule
      parts.push_back(rng_.pick(std::vector<std::string>{"0", "90", "0", ""}) +
                      rng_.pick(std::vector<std::string>{"21", "41", "12", "15", "31", "99", "55", "65", "23"}));
      parts.push_back(rng_.pick(std::vector<std::string>{"11", "21", "61", "85"}));
      splitInto(rng_.pick(std::vector<std::string>{"9", "3", "2", ""}) + rng_.digits(8), parts);
    } else if (id == "MX") {
      parts.push_back(rng_.pick(std::vector<std::string>{"044", "045", "01", "1", "02", "00"}));
      splitInto(rng_.pick(std::vector<std::string>{"55", "33", "81", "222"}) + rng_.digits(7 + rng_.below(2)), parts);
    } else if (id == "CN") {  // carrier selection codes before the number, or 0 + area code
      parts.push_back(rng_.pick(std::vector<std::string>{"17951", "12593", "17911", "10193", "0", "010", "0755"}));
      splitInto(rng_.percent(50) ? "1" + rng_.pick(std::vector<std::string>{"3", "5", "8", "9"}) + rng_.digits(9)
                                 : rng_.digits(7 + rng_.below(2)),
                parts);
    } else if (id == "IT" || id == "SM" || id == "VA") {  // leading zeros are part of the number
      if (rng_.percent(50)) {
        plus = true;
        parts.push_back(rng_.pick(std::vector<std::string>{"39", "378", "379"}));
      }
      parts.push_back(rng_.pick(std::vector<std::string>{"0", "06", "02", "0549", "3", "0039", "00"}));
      splitInto(rng_.digits(4 + rng_.below(7)), parts);
    } else if (id == "RU" || id == "KZ") {
      parts.push_back(rng_.pick(std::vector<std::string>{"8", "7", "8 10", "810", "+7"}));
      if (parts.back() == "+7") {
        parts.back() = "7";
        plus = true;
      }
      splitInto(rng_.pick(std::vector<std::string>{"9", "49", "33", "7", "3"}) + rng_.digits(8 + rng_.below(2)), parts);
    } else if (def.cc == "1") {  // NANP: 1 + area + number, 7-digit local numbers, other NANP islands
      if (rng_.percent(50)) parts.push_back("1");
      if (rng_.percent(70)) parts.push_back("(" + rng_.digits(3) + ")");
      parts.push_back(rng_.digits(3));
      parts.push_back(rng_.digits(4));
    } else if (id == "GB" || id == "GG" || id == "JE" || id == "IM") {
      parts.push_back(rng_.pick(std::vector<std::string>{"01481", "01534", "01624", "07781", "07797", "07924",
                                                          "020", "0"}));
      splitInto(rng_.digits(5 + rng_.below(4)), parts);
    } else {  // trunk prefix before an international-looking number
      parts.push_back(def.trunk.empty() ? "0" : def.trunk);
      splitInto(nsn, parts);
    }
  }

  std::string join(const std::vector<std::string>& parts, bool plus) {
    static const std::vector<std::string> styles[] = {
        {" "}, {"-"}, {"."}, {""}, {" ", "-"}, {" ", " ", "  ", "-", ".", "/", " - ", " / "}};
    const auto& seps = styles[rng_.below(std::size(styles))];
    const bool parens = parts.size() > 2 && rng_.percent(20);
    std::string out;
    if (rng_.percent(5)) out += rng_.pick(std::vector<std::string>{" ", "  ", "(", "-"});
    if (plus) out += '+';
    if (plus && rng_.percent(10)) out += ' ';
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += rng_.pick(seps);
      const bool wrap = parens && i == (plus ? 1u : 0u) && parts[i].front() != '(';
      out += wrap ? "(" + parts[i] + ")" : parts[i];
    }
    if (rng_.percent(5)) out += rng_.pick(std::vector<std::string>{" ", ")", "-", "  ", "."});
    return out;
  }

  // Extensions as written in CRMs, some the fast path reads, some it leaves to libphonenumber.
  std::string extension() {
    static const std::vector<std::string> labels = {" ext. ", " ext ", " x", " x ", " X", " EXT:", " Ext.",
                                                    " extension ", "-ext", "ext", "x", " extn ", " / x", "/x",
                                                    " ext.-", " xt ", " anexo ", " e "};
    static const std::vector<std::size_t> lengths = {1, 2, 2, 3, 3, 4, 5, 6, 9, 10, 12, 20, 21, 0};
    std::string s = rng_.pick(labels) + rng_.digits(rng_.pick(lengths));
    if (rng_.percent(10)) s += rng_.pick(std::vector<std::string>{" ", "  ", "#", ".", " 5"});
    return s;
  }

  // Shapes the fast path leaves to libphonenumber; PhoneNormalizer must still answer as before.
  void decorate(std::string& s) {
    switch (rng_.below(12)) {
      case 0: s += rng_.pick(std::vector<std::string>{" ext. 42", " x123", " ext 7", " #12", " extension 5"}); break;
      case 1: s += rng_.pick(std::vector<std::string>{"转123", " 转 88", "分机9", "分机 456"}); break;
      case 2: {  // full-width digits and plus
        std::string wide;
        for (char c : s) {
          if (c >= '0' && c <= '9') {
            wide += "\xEF\xBC";
            wide += static_cast<char>(0x90 + (c - '0'));
          } else if (c == '+') {
            wide += "\xEF\xBC\x8B";
          } else {
            wide += c;
          }
        }
        s = wide;
        break;
      }
      case 3: s = rng_.pick(std::vector<std::string>{"tel:", "Tel: ", "phone ", "T "}) + s; break;
      case 4: s = "\t" + s + "\n"; break;
      case 5: s = "(" + s; break;
      case 6: s = "+" + s; break;
      case 7: s += rng_.pick(std::vector<std::string>{"#", "*", ",,12", ";ext=5", ";"}); break;
      case 8: s.insert(s.size() / 2, rng_.pick(std::vector<std::string>{"ABC", "x", "\xC2\xA0", "~", "\xE3\x80\x80"})); break;
      case 9: s = "1-800-FLOWERS"; break;
      case 10: s = rng_.pick(std::vector<std::string>{"", " ", "+", "-", "()", "\xE3\x80\x80"}); break;
      default: s = s + s; break;  // too long for the fast path, or two numbers
    }
  }

  Rng rng_;
  std::map<std::string, RegionInfo> regions_;
  std::vector<std::string> focus_, extra_, all_;
};

// CRMSYNC_PHONE_DIFF_CASES and CRMSYNC_PHONE_DIFF_SEED run a longer or different sweep by hand.
std::size_t envOr(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

TEST(PhoneDifferential, FastPathMatchesLibphonenumberExactly) {
  const auto& fast = detail::PhoneFastPath::instance();
  ASSERT_TRUE(fast.ready());
  PhoneNormalizer normalizer;
  const std::size_t kCases = envOr("CRMSYNC_PHONE_DIFF_CASES", 250000);
  Generator gen(envOr("CRMSYNC_PHONE_DIFF_SEED", 20240611));
  std::size_t fastHandled = 0, fastValid = 0, fastExtension = 0, mismatches = 0;
  std::map<std::string, std::size_t> reasons;
  for (std::size_t i = 0; i < kCases; ++i) {
    const auto c = gen.next();
    const PhoneResult expected = referenceNormalize(c.input, c.region);
    const PhoneResult actual = normalizer.normalize(c.input, c.region);
    bool ok = samePhoneResult(expected, actual);
    if (auto f = fast.normalize(c.input, c.region)) {
      // The fast path on its own (no trimming in front) must agree too.
      ++fastHandled;
      const bool parsed = f->error == i18n::phonenumbers::PhoneNumberUtil::NO_PARSING_ERROR;
      const std::string reason = !parsed ? testing::referenceParseErrorText(f->error)
                                 : f->valid ? ""
                                            : "not a valid number for its region";
      ok = ok && expected.extension == (parsed ? f->extension : "") && f->valid == expected.valid &&
           f->e164 == expected.e164 && reason == expected.reason;
      if (f->valid) ++fastValid;
      if (!f->extension.empty()) ++fastExtension;
    }
    ++reasons[expected.valid ? "valid" : expected.reason];
    if (!ok && ++mismatches <= 25) {
      ADD_FAILURE() << "input \"" << c.input << "\" region \"" << c.region << "\": libphonenumber "
                    << describe(expected) << ", PhoneNormalizer " << describe(actual);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // The generated mix is mostly fast-path shapes: at least 200k inputs checked against the fast path itself, with
  // plenty of both valid and invalid answers.
  EXPECT_GE(fastHandled, kCases * 4 / 5);
  EXPECT_GE(fastValid, kCases / 4);
  EXPECT_GE(fastHandled - fastValid, kCases / 4);
  EXPECT_GE(fastExtension, kCases / 60);
  std::string summary;
  for (const auto& [reason, n] : reasons) summary += "  " + reason + ": " + std::to_string(n) + "\n";
  std::cout << "[ PHONE    ] " << kCases << " inputs, " << fastHandled << " through the fast path (" << fastValid
            << " valid, " << fastExtension << " with an extension)\n"
            << summary;
}

TEST(PhoneDifferential, ConcurrentCallsGiveTheSameAnswers) {
  PhoneNormalizer normalizer;
  Generator gen(77);
  std::vector<Generator::Case> cases;
  for (int i = 0; i < 20000; ++i) cases.push_back(gen.next());
  std::vector<PhoneResult> expected;
  for (const auto& c : cases) expected.push_back(normalizer.normalize(c.input, c.region));
  std::vector<std::thread> threads;
  std::vector<std::size_t> wrong(4, 0);
  for (std::size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < cases.size() * 2; i += 3) {
        const std::size_t k = i % cases.size();
        if (!samePhoneResult(normalizer.normalize(cases[k].input, cases[k].region), expected[k])) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t w : wrong) EXPECT_EQ(w, 0u);
}

}  // namespace
}  // namespace crmsync::normalize
