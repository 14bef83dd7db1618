// crmsync-gen-crm: multi-source CRM data with the true customer of every record, for the dedupe benchmark.
//
//   crmsync-gen-crm --records 100000 --seed 42 --out DIR
//
// Writes five sources as a company really has them (a contacts spreadsheet, the ERP customer master, people who
// e-mailed us, callers from the phone system, social accounts) and truth.csv (source,source_key,entity_id).
//
// Record i depends only on (seed, i) and the records before it: it either starts a new customer, in the master
// data (contacts or ERP), or is another record of a customer met in the previous kWindow records (at most
// kMaxRecords per customer), in any of the five sources. So a larger --records appends rows to every file and leaves the earlier ones byte-identical,
// which the incremental benchmark relies on. Customers share company switchboards, companies, common names (张伟,
// John Smith) and, within households, surnames and addresses; their records differ by typos, swapped name
// order, pinyin for Han names, phone formats, e-mail case, a work or a private address and missing fields.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gen_common.hpp"

namespace {

using namespace crmsync::gen;

constexpr uint64_t kWindow = 5000;     // a duplicate refers to a customer seen in the last kWindow records
constexpr uint32_t kMaxRecords = 6;    // records per customer at most
constexpr uint32_t kNewPermille = 520; // share of records that start a new customer

enum Source { kContacts, kErp, kEmail, kPhone, kSocial, kSources };
constexpr const char* kSourceName[kSources] = {"contacts", "erp_customers", "email_senders", "phone_callers",
                                               "social_accounts"};
constexpr const char* kKeyPrefix[kSources] = {"C", "E", "M", "P", "S"};
constexpr const char* kHeader[kSources] = {
    "id,given_name,family_name,company,email,mobile,city,country\n",
    "id,name,company,email,phone,address,city,postcode,country\n",
    "id,name,email\n",
    "id,phone,name\n",
    "id,handle,name,email,phone\n",
};
// Where a customer's records come from (per mille, cumulative): contacts 30, ERP 20, e-mail 20, phone 15,
// social 15.
constexpr uint32_t kSourceCumulative[kSources] = {300, 500, 700, 850, 1000};

constexpr std::array<const char*, 12> kStreets{{"Main St", "High Street", "Park Avenue", "Oak Road", "Station Road",
                                                "Church Lane", "Mill Road", "King Street", "Victoria Road",
                                                "Hauptstraße", "Bahnhofstraße", "Gartenweg"}};
constexpr std::array<const char*, 10> kCnStreets{{"中山路", "人民路", "解放路", "建设路", "长安街", "南京路", "和平路",
                                                  "新华路", "复兴路", "滨江大道"}};

struct Company {
  std::string name, nameVariant, domain;
  std::string switchboard;  // national significant number
};

struct Person {
  Country country = Country::CN;
  const City* city = nullptr;
  bool han = false;
  std::string given, family, givenAscii, familyAscii;  // ascii: pinyin or ASCII spelling
  std::string mobile;                                  // national significant number
  std::string privateEmail, workEmail;
  std::string address, postcode;
  uint64_t companyId = 0;
  std::string handle;
};

const City& pickCity(Rng& rng, Country k) {
  switch (k) {
    case Country::CN: return rng.pick(kCnCities);
    case Country::US: return rng.pick(kUsCities);
    case Country::GB: return rng.pick(kGbCities);
    case Country::DE: return rng.pick(kDeCities);
  }
  return kCnCities[0];
}

const char* countryCode(Country k) {
  switch (k) {
    case Country::CN: return "CN";
    case Country::US: return "US";
    case Country::GB: return "GB";
    case Country::DE: return "DE";
  }
  return "";
}

const char* callingCode(Country k) {
  switch (k) {
    case Country::CN: return "86";
    case Country::US: return "1";
    case Country::GB: return "44";
    case Country::DE: return "49";
  }
  return "";
}

std::string base36(uint64_t v) {
  std::string s;
  do {
    s.push_back("0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v);
  return {s.rbegin(), s.rend()};
}

std::string mobileDigits(Rng& rng, Country k, const City& c) {
  std::string d;
  switch (k) {
    case Country::CN:
      d = rng.chance(600) ? rng.pick(kCnMobilePrefix) : rng.pick(kCnMobilePrefix2);
      appendDigits(rng, d, 8);
      break;
    case Country::US: {
      d = c.area;
      std::string ex = subscriber(rng, c.lead, 3);
      if (ex[1] == '1' && ex[2] == '1') ex[2] = '2';
      if (ex == "555") ex = "556";
      d += ex;
      appendDigits(rng, d, 4);
      break;
    }
    case Country::GB:
      d = rng.chance(500) ? "75" : "78";
      appendDigits(rng, d, 8);
      break;
    case Country::DE:
      d = "15";
      d.push_back(static_cast<char>('1' + rng.below(2)));  // 151, 152
      appendDigits(rng, d, 8, '1');
      break;
  }
  return d;
}

std::string landlineDigits(Rng& rng, Country k, const City& c) {
  if (k == Country::US) return mobileDigits(rng, k, c);
  return std::string(c.area) + subscriber(rng, c.lead, c.subscriberDigits);
}

// A phone number (national significant number `d` of country k, landline area `area` when a landline) in one of
// the ways people write it. `international`: only forms with the country code (for sources with no country).
std::string formatPhone(Rng& rng, Country k, const std::string& d, size_t areaLen, bool international) {
  std::string out;
  const std::string cc = callingCode(k);
  uint32_t form = rng.below(6);
  if (international && form >= 3) form = form % 3;
  const bool mobileCn = k == Country::CN && areaLen == 0;
  switch (form) {
    case 0: out = "+" + cc + " "; grouped(out, d, {mobileCn ? 3u : areaLen ? areaLen : 3u, mobileCn ? 7u : 99u}, " "); break;
    case 1: out = "+" + cc + d; break;
    case 2: out = "+" + cc + "-"; grouped(out, d, {areaLen ? areaLen : 3u}, "-"); break;
    case 3:
      if (k == Country::US) { out = "(" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6); break; }
      if (mobileCn) { grouped(out, d, {3, 7}, " "); break; }
      out = "(0" + d.substr(0, areaLen ? areaLen : 4) + ") " + d.substr(areaLen ? areaLen : 4);
      break;
    case 4:
      if (k == Country::US) { out = d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6); break; }
      out = (mobileCn ? "" : "0") + d;
      break;
    default:
      if (k == Country::US) { out = d; break; }
      if (mobileCn) { grouped(out, d, {3, 7}, "-"); break; }
      out = "0" + d.substr(0, areaLen ? areaLen : 4) + "-" + d.substr(areaLen ? areaLen : 4);
      break;
  }
  return out;
}

Company makeCompany(uint64_t seed, uint64_t id, Country k, const City& city) {
  Rng rng(seed ^ 0xC0C0C0C0ULL, id * 4 + static_cast<uint64_t>(k));
  Company c;
  if (k == Country::CN) {
    const CnName& brand = rng.pick(kCnBrand);
    const char* industry = rng.pick(kCnIndustry);
    c.name = std::string(city.name) + brand.han + industry + (rng.chance(300) ? "股份有限公司" : "有限公司");
    c.nameVariant = std::string(brand.han) + industry;
    c.domain = std::string(brand.pinyin) + base36(id % 997) + ".cn";
  } else {
    const LatinName& brand = rng.pick(kBrand);
    const char* industry = k == Country::DE ? rng.pick(kDeIndustry) : rng.pick(kEnIndustry);
    const char* legal = k == Country::DE ? (rng.chance(500) ? " GmbH" : " AG")
                        : k == Country::GB ? (rng.chance(500) ? " Ltd" : " PLC")
                                           : (rng.chance(500) ? " Inc." : " LLC");
    c.nameVariant = std::string(brand.name) + " " + industry;
    c.name = c.nameVariant + legal;
    c.domain = std::string(brand.ascii) + base36(id % 997) + (k == Country::DE ? ".de" : k == Country::GB ? ".co.uk" : ".com");
  }
  c.switchboard = landlineDigits(rng, k, city);
  return c;
}

// A person's own attributes; households (same surname and address) are applied by the caller.
Person makePerson(uint64_t seed, uint64_t e) {
  Rng rng(seed ^ 0x9E11E11EULL, e);
  Person p;
  const uint32_t roll = rng.below(1000);
  p.country = roll < 500 ? Country::CN : roll < 700 ? Country::US : roll < 850 ? Country::GB : Country::DE;
  p.city = &pickCity(rng, p.country);
  p.han = p.country == Country::CN ? !rng.chance(30) : rng.chance(40);
  if (p.han) {
    // Common names on purpose: many different people are 张伟 or 王芳.
    const CnName& fam = rng.chance(700) ? kCnFamily[rng.below(10)] : rng.pick(kCnFamily);
    const CnName& giv = rng.chance(600) ? kCnGiven[rng.below(12)] : rng.pick(kCnGiven);
    p.family = fam.han;
    p.given = giv.han;
    p.familyAscii = fam.pinyin;
    p.givenAscii = giv.pinyin;
  } else {
    const bool de = p.country == Country::DE;
    const LatinName& f = de ? rng.pick(kDeFirst) : rng.pick(kEnFirst);
    const LatinName& l = de ? (rng.chance(700) ? kDeLast[rng.below(8)] : rng.pick(kDeLast))
                            : (rng.chance(700) ? kEnLast[rng.below(8)] : rng.pick(kEnLast));
    p.given = f.name;
    p.family = l.name;
    p.givenAscii = f.ascii;
    p.familyAscii = l.ascii;
  }
  p.mobile = mobileDigits(rng, p.country, *p.city);
  std::string local;
  appendLowerAscii(local, p.givenAscii);
  local += rng.chance(500) ? "." : "";
  appendLowerAscii(local, p.familyAscii);
  local += base36(e);  // unique per person, as real addresses are
  const char* mail = p.country == Country::CN ? rng.pick(kCnMail)
                     : p.country == Country::DE ? rng.pick(kDeMail)
                     : p.country == Country::GB ? rng.pick(kGbMail)
                                                : rng.pick(kUsMail);
  p.privateEmail = local + "@" + mail;
  p.companyId = e - rng.below(static_cast<uint32_t>(std::min<uint64_t>(e, 40)) + 1);  // colleagues nearby
  if (rng.chance(450)) {
    std::string w;
    appendLowerAscii(w, p.givenAscii);
    w += ".";
    appendLowerAscii(w, p.familyAscii);
    w += base36(e % 1000);
    p.workEmail = w;  // domain added with the company
  }
  if (p.country == Country::CN) {
    p.address = std::string(rng.pick(kCnStreets)) + std::to_string(1 + rng.below(300)) + "号";
    p.postcode = std::to_string(100000 + rng.below(800000));
  } else {
    p.address = std::to_string(1 + rng.below(200)) + " " + rng.pick(kStreets);
    p.postcode = p.country == Country::GB ? std::string("SW") + std::to_string(1 + rng.below(20)) + " " +
                                                std::to_string(rng.below(10)) + "AB"
                                          : std::to_string(10000 + rng.below(89999));
  }
  std::string h;
  appendLowerAscii(h, p.givenAscii);
  h += "_";
  appendLowerAscii(h, p.familyAscii);
  p.handle = "@" + h + base36(e * 7 + 3);
  return p;
}

Person person(uint64_t seed, uint64_t e) {
  Person p = makePerson(seed, e);
  Rng rng(seed ^ 0x4001DULL, e);
  // One in ten lives with someone met shortly before: same surname and address (family), different person.
  if (e > 0 && rng.chance(100)) {
    const uint64_t other = e - 1 - rng.below(static_cast<uint32_t>(std::min<uint64_t>(e, 30)));
    Person o = makePerson(seed, other);
    if (o.han == p.han && o.country == p.country) {
      p.family = o.family;
      p.familyAscii = o.familyAscii;
      p.address = o.address;
      p.postcode = o.postcode;
      p.city = o.city;
    }
  }
  return p;
}

// One typo: a substitution, a transposition or a deletion of an ASCII letter.
void typo(Rng& rng, std::string& s) {
  std::vector<size_t> pos;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] >= 'a' && s[i] <= 'z') pos.push_back(i);
  }
  if (pos.empty()) return;
  const size_t i = pos[rng.below(static_cast<uint32_t>(pos.size()))];
  switch (rng.below(3)) {
    case 0: s[i] = static_cast<char>('a' + rng.below(26)); break;
    case 1:
      if (i + 1 < s.size() && s[i + 1] >= 'a' && s[i + 1] <= 'z') std::swap(s[i], s[i + 1]);
      break;
    default: s.erase(i, 1); break;
  }
}

struct Out {
  std::FILE* f = nullptr;
  std::string buf;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  void flush() {
    std::fwrite(buf.data(), 1, buf.size(), f);
    bytes += buf.size();
    buf.clear();
  }
};

void field(std::string& row, const std::string& v, bool last = false) {
  appendCsvField(row, v);
  row.push_back(last ? '\n' : ',');
}

void usage(std::FILE* to) {
  std::fputs("usage: crmsync-gen-crm --records N --seed S --out DIR\n"
             "  Writes contacts.csv, erp_customers.csv, email_senders.csv, phone_callers.csv, social_accounts.csv\n"
             "  and truth.csv (source,source_key,entity_id) into DIR (which must exist).\n",
             to);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t records = 0, seed = 42;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--records" || a == "--seed") {
      const char* v = value();
      char* end = nullptr;
      if (!v) { usage(stderr); return 2; }
      const uint64_t n = std::strtoull(v, &end, 10);
      if (*end != '\0') { usage(stderr); return 2; }
      (a == "--records" ? records : seed) = n;
    } else if (a == "--out") {
      const char* v = value();
      if (!v) { usage(stderr); return 2; }
      dir = v;
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (records == 0 || dir.empty()) {
    usage(stderr);
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Out out[kSources + 1];
  for (int s = 0; s <= kSources; ++s) {
    const std::string path = dir + "/" + (s == kSources ? "truth" : kSourceName[s]) + ".csv";
    out[s].f = std::fopen(path.c_str(), "wb");
    if (!out[s].f) {
      std::fprintf(stderr, "crmsync-gen-crm: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
      return 1;
    }
    out[s].buf = s == kSources ? "source,source_key,entity_id\n" : kHeader[s];
  }

  std::vector<uint32_t> entityOf(records);
  std::vector<uint8_t> size;  // records per entity
  std::string row, tmp;
  for (uint64_t i = 0; i < records; ++i) {
    Rng rng(seed, i);
    uint32_t e = 0;
    bool fresh = i == 0 || rng.chance(kNewPermille);
    if (!fresh) {
      const uint64_t j = i - 1 - rng.below(static_cast<uint32_t>(std::min<uint64_t>(i, kWindow)));
      e = entityOf[j];
      fresh = size[e] >= kMaxRecords;
    }
    if (fresh) {
      e = static_cast<uint32_t>(size.size());
      size.push_back(0);
    }
    entityOf[i] = e;
    ++size[e];
    // A customer starts in the master data (the contacts sheet or the ERP) with its details; later records
    // come from anywhere, interactions included.
    const uint32_t roll = rng.below(1000);
    int src = 0;
    if (fresh) {
      src = roll < 600 ? kContacts : kErp;
    } else {
      while (roll >= kSourceCumulative[src]) ++src;
    }

    const Person p = person(seed, e);
    const Company c = makeCompany(seed, p.companyId, p.country, *p.city);
    const size_t areaLen = p.country == Country::CN || p.country == Country::GB || p.country == Country::DE
                               ? std::string_view(p.city->area).size()
                               : 0;
    auto phone = [&](bool switchboard, bool international) {
      return switchboard ? formatPhone(rng, p.country, c.switchboard, p.country == Country::US ? 0 : areaLen,
                                       international)
                         : formatPhone(rng, p.country, p.mobile, 0, international);
    };
    auto email = [&]() {
      std::string m = !p.workEmail.empty() && rng.chance(60) ? p.workEmail + "@" + c.domain : p.privateEmail;
      if (rng.chance(250)) capitalizeAscii(m, 0);
      else if (rng.chance(50)) upperAscii(m, 0);
      return m;
    };
    // The name as this record spells it.
    std::string given = p.given, family = p.family;
    const bool pinyin = p.han && src != kContacts && rng.chance(250);  // 张伟 written Wei Zhang
    if (pinyin) {
      given = p.givenAscii;
      family = p.familyAscii;
    }
    if (!p.han || pinyin) {
      if (rng.chance(120)) typo(rng, rng.chance(500) ? given : family);
      if (rng.chance(30)) upperAscii(family, 0);
    }
    auto fullName = [&]() {
      if (p.han && !pinyin) return rng.chance(40) ? given + family : family + given;  // 伟张: swapped order
      const uint32_t r = rng.below(20);
      if (r == 0) return family + ", " + given;
      if (r == 1) return family + " " + given;  // swapped order
      return given + " " + family;
    };

    row.clear();
    const std::string key = std::string(kKeyPrefix[src]) + std::to_string(out[src].rows + 1);
    field(row, key);
    switch (src) {
      // Every record carries something that links it to the customer's other records (an e-mail address or
      // a mobile number) but a few: a caller on the company switchboard, a social account with only a name.
      case kContacts: {
        const bool swap = rng.chance(50);
        const bool hasEmail = rng.chance(900);
        const bool hasMobile = !hasEmail || rng.chance(850);
        field(row, swap ? family : given);
        field(row, swap ? given : family);
        field(row, rng.chance(600) ? (rng.chance(300) ? c.nameVariant : c.name) : "");
        field(row, hasEmail ? email() : "");
        field(row, hasMobile ? phone(false, false) : "");
        field(row, rng.chance(700) ? (p.city->alt && rng.chance(300) ? p.city->alt : p.city->name) : "");
        field(row, countryCode(p.country), true);
        break;
      }
      case kErp: {
        const bool hasEmail = rng.chance(900);
        const bool switchboard = rng.chance(hasEmail ? 250 : 50);  // often the company's number
        field(row, fullName());
        field(row, rng.chance(950) ? (rng.chance(200) ? c.nameVariant : c.name) : "");
        field(row, hasEmail ? email() : "");
        field(row, phone(switchboard, false));
        field(row, rng.chance(800) ? p.address : "");
        field(row, p.city->name);
        field(row, rng.chance(800) ? p.postcode : "");
        field(row, countryCode(p.country), true);
        break;
      }
      case kEmail:
        field(row, rng.chance(850) ? fullName() : "");
        field(row, email(), true);
        break;
      case kPhone: {
        const bool international = p.country != Country::CN;  // the call log has no country column
        field(row, phone(rng.chance(50), international));
        field(row, rng.chance(400) ? fullName() : "", true);
        break;
      }
      default: {
        const bool hasEmail = rng.chance(750);  // found in the profile fields
        const bool hasPhone = rng.chance(hasEmail ? 200 : 600);
        field(row, p.handle);
        field(row, rng.chance(900) ? fullName() : "");
        field(row, hasEmail ? email() : "");
        field(row, hasPhone ? phone(false, true) : "", true);
        break;
      }
    }
    out[src].buf += row;
    ++out[src].rows;
    tmp = std::string(kSourceName[src]) + "," + key + "," + std::to_string(e) + "\n";
    out[kSources].buf += tmp;
    ++out[kSources].rows;
    for (auto& o : out) {
      if (o.buf.size() > (1u << 22)) o.flush();
    }
  }
  uint64_t truePairs = 0;
  for (uint8_t k : size) truePairs += static_cast<uint64_t>(k) * (k - 1) / 2;
  for (auto& o : out) {
    o.flush();
    std::fclose(o.f);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("crmsync-gen-crm: %llu records of %zu customers (%llu true pairs), seed %llu, %.2f s -> %s\n",
              static_cast<unsigned long long>(records), size.size(), static_cast<unsigned long long>(truePairs),
              static_cast<unsigned long long>(seed), secs, dir.c_str());
  std::string json = "{\"records\": " + std::to_string(records) + ", \"entities\": " + std::to_string(size.size()) +
                     ", \"true_pairs\": " + std::to_string(truePairs) + ", \"seconds\": " + std::to_string(secs) +
                     ", \"files\": {";
  for (int s = 0; s < kSources; ++s) {
    std::printf("  %-20s %10llu rows %12llu bytes\n", kSourceName[s], static_cast<unsigned long long>(out[s].rows),
                static_cast<unsigned long long>(out[s].bytes));
    json += std::string(s ? ", " : "") + "\"" + kSourceName[s] + "\": " + std::to_string(out[s].rows);
  }
  std::printf("%s}}\n", json.c_str());
  return 0;
}
