// crmsync-gen-contacts: writes a realistic, deterministic contact CSV for the load benchmark.
//
//   crmsync-gen-contacts --rows 1000000 --seed 42 --out contacts.csv
//
// Header: customer_id,first_name,last_name,company,email,phone,mobile,city,country
//
// Every row depends only on (seed, row index): row i is identical whatever --rows is, and the file is
// byte-identical across runs, compilers and machines (a fixed splitmix64 PRNG and integer arithmetic only; no
// <random> distributions, whose output is implementation-defined). Values mix Latin and Chinese names, company
// suffixes of four countries, mixed-case emails, phone numbers in many national and international formats that
// agree with the row's country (CN, US, GB, DE) so libphonenumber parses them with that region, some missing
// fields, stray whitespace, full-width characters (for NFKC) and values that need CSV quoting.
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "gen_common.hpp"

namespace {

using namespace crmsync::gen;

// ---------------------------------------------------------------------------------------------- phones

void cnMobile(Rng& rng, std::string& out) {
  std::string d = rng.chance(600) ? rng.pick(kCnMobilePrefix) : rng.pick(kCnMobilePrefix2);
  appendDigits(rng, d, 8);
  switch (rng.below(8)) {
    case 0: out += "+86 "; grouped(out, d, {3, 7}, " "); break;        // +86 138 0013 8000
    case 1: out += "+86"; out += d; break;                            // +8613800138000
    case 2: grouped(out, d, {3, 7}, " "); break;                      // 138 0013 8000
    case 3: grouped(out, d, {3, 7}, "-"); break;                      // 138-0013-8000
    case 4: out += "0086 "; out += d; break;                          // 0086 13800138000
    case 5: out += "+86-"; grouped(out, d, {3, 7}, "-"); break;       // +86-138-0013-8000
    default: out += d; break;                                         // 13800138000
  }
}

void cnLandline(Rng& rng, const City& c, std::string& out) {
  const std::string sub = subscriber(rng, c.lead, c.subscriberDigits);
  const std::string_view a = c.area;
  switch (rng.below(7)) {
    case 0: out += '('; out += '0'; out += a; out += ") "; grouped(out, sub, {4}, "-"); break;  // (010) 6552-9988
    case 1: out += '0'; out += a; out += '-'; out += sub; break;                                // 010-65529988
    case 2: out += '0'; out += a; out += ' '; grouped(out, sub, {4}, " "); break;               // 010 6552 9988
    case 3: out += "+86 "; out += a; out += ' '; grouped(out, sub, {4}, " "); break;            // +86 10 6552 9988
    case 4: out += "+86-"; out += a; out += '-'; out += sub; break;                             // +86-10-65529988
    case 5: out += '0'; out += a; out += sub; break;                                            // 01065529988
    default: out += '0'; out += a; out += '-'; grouped(out, sub, {4}, "-"); break;              // 010-6552-9988
  }
}

void usNumber(Rng& rng, const City& c, std::string& out) {
  std::string ex = subscriber(rng, c.lead, 3);
  if (ex[1] == '1' && ex[2] == '1') ex[2] = '2';  // no N11 exchanges
  if (ex == "555") ex = "556";
  std::string line;
  appendDigits(rng, line, 4);
  const std::string_view a = c.area;
  switch (rng.below(9)) {
    case 0: out += "+1 ("; out += a; out += ") "; out += ex; out += '-'; out += line; break;  // +1 (415) 555-0100
    case 1: out += '('; out += a; out += ") "; out += ex; out += '-'; out += line; break;     // (415) 555-0100
    case 2: out += a; out += '-'; out += ex; out += '-'; out += line; break;                  // 415-555-0100
    case 3: out += a; out += '.'; out += ex; out += '.'; out += line; break;                  // 415.555.0100
    case 4: out += a; out += ex; out += line; break;                                          // 4155550100
    case 5: out += "+1 "; out += a; out += ' '; out += ex; out += ' '; out += line; break;    // +1 415 555 0100
    case 6: out += "1-"; out += a; out += '-'; out += ex; out += '-'; out += line; break;      // 1-415-555-0100
    case 7: out += "+1"; out += a; out += ex; out += line; break;                             // +14155550100
    default:                                                                                  // with extension
      out += '('; out += a; out += ") "; out += ex; out += '-'; out += line;
      out += rng.chance(500) ? " ext. " : " x";
      appendDigits(rng, out, 2 + static_cast<int>(rng.below(3)), '1');
      break;
  }
}

void gbLandline(Rng& rng, const City& c, std::string& out) {
  const std::string sub = subscriber(rng, c.lead, c.subscriberDigits);
  const std::string_view a = c.area;
  // London: 020 7946 0958; the others: 0161 496 0000.
  const size_t brk = a.size() == 2 ? 4 : 3;
  switch (rng.below(5)) {
    case 0: out += "+44 "; out += a; out += ' '; grouped(out, sub, {brk}, " "); break;        // +44 20 7946 0958
    case 1: out += "(0"; out += a; out += ") "; grouped(out, sub, {brk}, " "); break;          // (020) 7946 0958
    case 2: out += '0'; out += a; out += sub; break;                                           // 02079460958
    case 3: out += "+44 (0)"; out += a; out += ' '; grouped(out, sub, {brk}, " "); break;      // +44 (0)20 7946 0958
    default: out += '0'; out += a; out += ' '; grouped(out, sub, {brk}, " "); break;           // 020 7946 0958
  }
}

void gbMobile(Rng& rng, std::string& out) {
  // 075xx, 078xx and 0793x-0799x: ranges allocated to mobile networks.
  std::string d = rng.chance(600) ? (rng.chance(500) ? "75" : "78") : "79";
  if (d == "79") {
    d.push_back(static_cast<char>('3' + rng.below(7)));
    appendDigits(rng, d, 7);
  } else {
    appendDigits(rng, d, 8);
  }
  switch (rng.below(4)) {
    case 0: out += "+44 "; grouped(out, d, {4}, " "); break;  // +44 7911 123456
    case 1: out += "+44"; out += d; break;                    // +447911123456
    case 2: out += '0'; out += d; break;                      // 07911123456
    default: out += '0'; grouped(out, d, {4}, " "); break;    // 07911 123456
  }
}

void deLandline(Rng& rng, const City& c, std::string& out) {
  const std::string sub = subscriber(rng, c.lead, c.subscriberDigits - static_cast<int>(rng.below(2)));
  const std::string_view a = c.area;
  switch (rng.below(6)) {
    case 0: out += "+49 "; out += a; out += ' '; out += sub; break;                  // +49 30 12345678
    case 1: out += '0'; out += a; out += '/'; out += sub; break;                     // 030/12345678
    case 2: out += "(0"; out += a; out += ") "; out += sub; break;                   // (030) 12345678
    case 3: out += "+49 (0)"; out += a; out += ' '; out += sub; break;               // +49 (0)30 12345678
    case 4: out += '0'; out += a; out += ' '; grouped(out, sub, {3, 5}, " "); break;  // 030 123 45 678
    default: out += '0'; out += a; out += ' '; out += sub; break;                    // 030 12345678
  }
}

void deMobile(Rng& rng, std::string& out) {
  std::string pfx = rng.pick(kDeMobile8);
  std::string sub;
  // 015x numbers have 8 subscriber digits; 016x / 017x have 7 or 8.
  appendDigits(rng, sub, pfx[1] == '5' ? 8 : 7 + static_cast<int>(rng.below(2)), '1');
  switch (rng.below(5)) {
    case 0: out += "+49 "; out += pfx; out += ' '; out += sub; break;  // +49 171 1234567
    case 1: out += '0'; out += pfx; out += '/'; out += sub; break;     // 0170/1234567
    case 2: out += "+49"; out += pfx; out += sub; break;               // +4915123456789
    case 3: out += '0'; out += pfx; out += '-'; out += sub; break;     // 0151-23456789
    default: out += '0'; out += pfx; out += ' '; out += sub; break;    // 0151 23456789
  }
}

void landline(Rng& rng, Country k, const City& c, std::string& out) {
  switch (k) {
    case Country::CN: cnLandline(rng, c, out); break;
    case Country::US: usNumber(rng, c, out); break;
    case Country::GB: gbLandline(rng, c, out); break;
    case Country::DE: deLandline(rng, c, out); break;
  }
}

void mobile(Rng& rng, Country k, const City& c, std::string& out) {
  switch (k) {
    case Country::CN: cnMobile(rng, out); break;
    case Country::US: usNumber(rng, c, out); break;
    case Country::GB: gbMobile(rng, out); break;
    case Country::DE: deMobile(rng, out); break;
  }
}

// ---------------------------------------------------------------------------------------------- rows

struct Row {
  std::string id, first, last, company, email, phone, mobile, city, country;
  std::string firstAscii, lastAscii, companyDomain;
  void clear() {
    for (std::string* s : {&id, &first, &last, &company, &email, &phone, &mobile, &city, &country, &firstAscii,
                           &lastAscii, &companyDomain}) {
      s->clear();
    }
  }
};

void makeName(Rng& rng, Country k, Row& r) {
  const uint32_t roll = rng.below(1000);
  const bool chinese = k == Country::CN ? roll < 880 : roll < 50;
  const bool pinyin = !chinese && (k == Country::CN ? roll < 960 : roll < 80);
  if (chinese || pinyin) {
    const CnName& fam = rng.pick(kCnFamily);
    const CnName& giv = rng.pick(kCnGiven);
    r.firstAscii = giv.pinyin;
    r.lastAscii = fam.pinyin;
    if (pinyin) {
      r.first = giv.pinyin;
      r.last = fam.pinyin;
      if (rng.chance(150)) upperAscii(r.last, 0);  // "Wei ZHANG"
      return;
    }
    const uint32_t form = rng.below(100);
    if (form < 70) {  // split: 伟 / 张
      r.first = giv.han;
      r.last = fam.han;
    } else if (form < 95) {  // family + given, no space, in one column: 张伟
      r.first = fam.han;
      r.first += giv.han;
    } else {
      r.last = fam.han;
      r.last += giv.han;
    }
    return;
  }
  const bool german = k == Country::DE && roll < 900;
  const LatinName& f = german ? rng.pick(kDeFirst) : rng.pick(kEnFirst);
  const LatinName& l = german ? rng.pick(kDeLast) : rng.pick(kEnLast);
  r.first = f.name;
  r.last = l.name;
  r.firstAscii = f.ascii;
  r.lastAscii = l.ascii;
  if (rng.chance(20)) upperAscii(r.last, 0);  // "SMITH" (umlauts stay as they are)
}

void makeCompany(Rng& rng, Country k, const City& city, Row& r) {
  if (rng.chance(70)) return;  // no company
  std::string& c = r.company;
  if (k == Country::CN && rng.chance(750)) {
    const CnName& cb = rng.pick(kCnBrand);
    const char* brand = cb.han;
    const uint32_t form = rng.below(100);
    if (form < 45) {  // 北京华兴科技有限公司
      c += city.name;
      c += brand;
      c += rng.pick(kCnIndustry);
      c += "有限公司";
    } else if (form < 75) {  // 瑞丰贸易（上海）有限公司 — full-width parentheses
      c += brand;
      c += rng.pick(kCnIndustry);
      c += "（";
      c += city.name;
      c += "）有限公司";
    } else if (form < 92) {  // 华兴集团有限公司 / 华兴科技股份有限公司
      c += brand;
      c += rng.chance(500) ? "集团有限公司" : "科技股份有限公司";
    } else {  // ＡＢＣ贸易有限公司 — full-width Latin, for NFKC
      appendFullwidth(c, rng.pick(kFullwidthBrand));
      c += rng.pick(kCnIndustry);
      c += "有限公司";
    }
    if (form < 92) {
      r.companyDomain = cb.pinyin;
      r.companyDomain += rng.chance(500) ? ".com.cn" : ".cn";
    }
    return;
  }
  const LatinName& brand = rng.pick(kBrand);
  constexpr std::array<const char*, 4> kTld{{".com.cn", ".com", ".co.uk", ".de"}};
  r.companyDomain = brand.ascii;
  r.companyDomain += kTld[static_cast<size_t>(k)];
  const uint32_t style = rng.below(1000);
  if (style < 15) {  // needs quote escaping: "Blue Sky" Consulting Ltd
    c += '"';
    c += brand.name;
    c += "\" ";
  } else if (style < 30) {
    c += "The \"";
    c += brand.name;
    c += "\" ";
  } else if (style < 60 && k != Country::CN) {  // a comma inside: Smith, Jones & Partners LLP
    const bool de = k == Country::DE;
    c += de ? rng.pick(kDeLast).name : rng.pick(kEnLast).name;
    c += ", ";
    c += de ? rng.pick(kDeLast).name : rng.pick(kEnLast).name;
    c += k == Country::DE ? " & Partner" : " & Partners";
    c += k == Country::US ? " LLP" : k == Country::GB ? " LLP" : " mbB";
    return;
  } else {
    c += brand.name;
    c += ' ';
  }
  switch (k) {
    case Country::CN: {
      const char* pinyinCity = city.alt != nullptr ? city.alt : "Shanghai";
      if (style >= 60) {
        prepend(c, " ");
        prepend(c, pinyinCity);
      }
      c += rng.pick(kEnIndustry);
      c += rng.chance(600) ? " Co., Ltd." : " Co. Ltd";  // Shanghai Evergreen Trading Co., Ltd.
      break;
    }
    case Country::US: {
      c += rng.pick(kEnIndustry);
      constexpr std::array<const char*, 6> sfx{{" Inc", " Inc.", ", Inc.", " LLC", " Corp.", " Corporation"}};
      c += rng.pick(sfx);
      break;
    }
    case Country::GB: {
      c += rng.pick(kEnIndustry);
      constexpr std::array<const char*, 5> sfx{{" Ltd", " Ltd.", " Limited", " PLC", " LLP"}};
      c += rng.pick(sfx);
      break;
    }
    case Country::DE: {
      c += rng.pick(kDeIndustry);
      constexpr std::array<const char*, 6> sfx{{" GmbH", " GmbH", " AG", " GmbH & Co. KG", " e.K.", " UG (haftungsbeschränkt)"}};
      c += rng.pick(sfx);
      break;
    }
  }
  if (rng.chance(20)) upperAscii(c, 0);  // ACME SYSTEMS INC
}

void makeEmail(Rng& rng, Country k, uint64_t row, Row& r) {
  if (rng.chance(50)) return;  // no email
  std::string& e = r.email;
  if (rng.chance(5)) {
    e = rng.pick(kJunkEmails);
    return;
  }
  if (k == Country::CN && rng.chance(150)) {  // QQ number
    appendDigits(rng, e, 6 + static_cast<int>(rng.below(5)), '1');
    e += "@qq.com";
    return;
  }
  switch (rng.below(6)) {
    case 0: appendLowerAscii(e, r.firstAscii); e += '.'; appendLowerAscii(e, r.lastAscii); break;
    case 1: e += r.firstAscii.empty() ? 'x' : r.firstAscii[0]; appendLowerAscii(e, r.lastAscii); break;
    case 2: appendLowerAscii(e, r.firstAscii); e += '_'; appendLowerAscii(e, r.lastAscii); break;
    case 3: appendLowerAscii(e, r.lastAscii); e += '.'; appendLowerAscii(e, r.firstAscii); break;
    case 4: appendLowerAscii(e, r.firstAscii); appendLowerAscii(e, r.lastAscii); break;
    default: appendLowerAscii(e, r.firstAscii); e += '.'; appendLowerAscii(e, r.lastAscii); e += "+crm"; break;
  }
  if (e.empty() || e[0] == '.' || e[0] == '_') prepend(e, "contact");
  if (!r.companyDomain.empty() && rng.chance(450)) {
    e += std::to_string(row % 97);
    e += '@';
    e += r.companyDomain;
  } else {
    if (rng.chance(400)) e += std::to_string(row % 1000);
    e += '@';
    switch (k) {
      case Country::CN: e += rng.pick(kCnMail); break;
      case Country::US: e += rng.pick(kUsMail); break;
      case Country::GB: e += rng.pick(kGbMail); break;
      case Country::DE: e += rng.pick(kDeMail); break;
    }
  }
  e[0] = static_cast<char>(e[0] >= 'A' && e[0] <= 'Z' ? e[0] - 'A' + 'a' : e[0]);
  const uint32_t c = rng.below(100);
  if (c < 30) {
    capitalizeAscii(e, 0);  // Zhang.Wei@Example.Com
  } else if (c < 38) {
    upperAscii(e, e.find('@'));  // wei.zhang@QQ.COM
  } else if (c < 42) {
    upperAscii(e, 0);  // WEI.ZHANG@QQ.COM
  }
}

void makeRow(uint64_t seed, uint64_t row, Row& r) {
  Rng rng(seed, row);
  r.clear();
  // Customer ids are unique and stable per row index.
  char id[24];
  std::snprintf(id, sizeof id, "C%08llu", static_cast<unsigned long long>(row + 1));
  r.id = id;

  const uint32_t cr = rng.below(100);
  const Country k = cr < 40 ? Country::CN : cr < 65 ? Country::US : cr < 80 ? Country::GB : Country::DE;
  const City* city = nullptr;
  switch (k) {
    case Country::CN: city = &rng.pick(kCnCities); r.country = "CN"; break;
    case Country::US: city = &rng.pick(kUsCities); r.country = "US"; break;
    case Country::GB: city = &rng.pick(kGbCities); r.country = "GB"; break;
    case Country::DE: city = &rng.pick(kDeCities); r.country = "DE"; break;
  }
  // A few Chinese rows leave the country out; the pipeline's default region (CN) still parses their phones.
  if (k == Country::CN && rng.chance(25)) r.country.clear();

  makeName(rng, k, r);
  makeCompany(rng, k, *city, r);
  makeEmail(rng, k, row, r);

  // phone: mostly the office landline, sometimes a mobile; mobile: a mobile number.
  const uint32_t pr = rng.below(1000);
  if (pr < 60) {
    // missing
  } else if (pr < 66) {
    r.phone = rng.pick(kJunkPhones);
  } else if (pr < 760) {
    landline(rng, k, *city, r.phone);
  } else {
    mobile(rng, k, *city, r.phone);
  }
  if (!rng.chance(k == Country::US ? 350 : 180)) mobile(rng, k, *city, r.mobile);

  if (!rng.chance(30)) r.city = (city->alt != nullptr && rng.chance(350)) ? city->alt : city->name;

  maybePad(rng, r.first, 25);
  maybePad(rng, r.last, 25);
  maybePad(rng, r.company, 20);
  maybePad(rng, r.email, 15);
  maybePad(rng, r.city, 10);
  if (rng.chance(8)) r.first.clear();
}

void appendRow(std::string& out, const Row& r) {
  appendCsvField(out, r.id);
  out.push_back(',');
  appendCsvField(out, r.first);
  out.push_back(',');
  appendCsvField(out, r.last);
  out.push_back(',');
  appendCsvField(out, r.company);
  out.push_back(',');
  appendCsvField(out, r.email);
  out.push_back(',');
  appendCsvField(out, r.phone);
  out.push_back(',');
  appendCsvField(out, r.mobile);
  out.push_back(',');
  appendCsvField(out, r.city);
  out.push_back(',');
  appendCsvField(out, r.country);
  out.push_back('\n');
}

// ---------------------------------------------------------------------------------------------- main

void usage(std::FILE* to) {
  std::fputs(
      "usage: crmsync-gen-contacts [--rows N] [--seed S] [--out FILE] [--quiet]\n"
      "  Writes a deterministic, realistic contact CSV (UTF-8, LF line ends, RFC 4180 quoting) with the header\n"
      "  customer_id,first_name,last_name,company,email,phone,mobile,city,country.\n"
      "  --rows N    data rows to write (default 1000)\n"
      "  --seed S    PRNG seed (default 42); the same seed gives a byte-identical file\n"
      "  --out FILE  output file, '-' for stdout (default '-')\n"
      "  --quiet     no summary on stderr\n",
      to);
}

bool parseU64(const char* s, uint64_t& v) {
  if (s == nullptr || *s == '\0' || *s == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(s, &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0') return false;
  v = x;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 1000;
  uint64_t seed = 42;
  std::string outPath = "-";
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--rows" && parseU64(next, rows)) {
      ++i;
    } else if (a == "--seed" && parseU64(next, seed)) {
      ++i;
    } else if (a == "--out" && next != nullptr) {
      outPath = next;
      ++i;
    } else if (a == "--quiet") {
      quiet = true;
    } else {
      std::fprintf(stderr, "crmsync-gen-contacts: bad argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::FILE* out = outPath == "-" ? stdout : std::fopen(outPath.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "crmsync-gen-contacts: cannot open %s: %s\n", outPath.c_str(), std::strerror(errno));
    return 1;
  }

  constexpr size_t kFlushAt = 1u << 20;
  std::string buf;
  buf.reserve(kFlushAt + 4096);
  buf += "customer_id,first_name,last_name,company,email,phone,mobile,city,country\n";
  uint64_t bytes = 0;
  Row r;
  bool ok = true;
  for (uint64_t i = 0; i < rows && ok; ++i) {
    makeRow(seed, i, r);
    appendRow(buf, r);
    if (buf.size() >= kFlushAt) {
      ok = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
      bytes += buf.size();
      buf.clear();
    }
  }
  if (ok && !buf.empty()) {
    ok = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
    bytes += buf.size();
  }
  if (std::fflush(out) != 0) ok = false;
  if (out != stdout && std::fclose(out) != 0) ok = false;
  if (!ok) {
    std::fprintf(stderr, "crmsync-gen-contacts: write to %s failed: %s\n", outPath.c_str(), std::strerror(errno));
    return 1;
  }
  if (!quiet) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "crmsync-gen-contacts: %llu rows, %llu bytes, seed %llu, %.2f s -> %s\n",
                 static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes),
                 static_cast<unsigned long long>(seed), secs, outPath.c_str());
  }
  return 0;
}
