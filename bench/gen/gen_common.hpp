// What the benchmark data generators share: a deterministic PRNG (splitmix64, integer arithmetic only, so a
// seed gives byte-identical output on any machine and compiler), name, company, city and phone-number tables
// that libphonenumber accepts, and small text helpers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace crmsync::gen {

// ---------------------------------------------------------------------------------------------- PRNG

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(uint64_t seed, uint64_t row) : state_(seed) {
    // Decorrelate rows: the row stream starts from a hash of (seed, row), not from seed + row * step.
    uint64_t s = seed ^ (row * 0xD1B54A32D192ED03ULL);
    state_ = splitmix64(s);
  }
  uint64_t next() { return splitmix64(state_); }
  /// Uniform in [0, n) by multiply-shift (Lemire without rejection; the bias is below 2^-32 for our n).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  /// True with probability permille / 1000.
  bool chance(uint32_t permille) { return below(1000) < permille; }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[below(static_cast<uint32_t>(N))];
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------------- data

struct CnName {
  const char* han;
  const char* pinyin;
};

// Common family names, two compound ones among them.
constexpr std::array<CnName, 34> kCnFamily{{
    {"王", "Wang"},  {"李", "Li"},    {"张", "Zhang"}, {"刘", "Liu"},        {"陈", "Chen"},   {"杨", "Yang"},
    {"黄", "Huang"}, {"赵", "Zhao"},  {"吴", "Wu"},    {"周", "Zhou"},       {"徐", "Xu"},     {"孙", "Sun"},
    {"马", "Ma"},    {"朱", "Zhu"},   {"胡", "Hu"},    {"郭", "Guo"},        {"何", "He"},     {"高", "Gao"},
    {"林", "Lin"},   {"罗", "Luo"},   {"郑", "Zheng"}, {"梁", "Liang"},      {"谢", "Xie"},    {"宋", "Song"},
    {"唐", "Tang"},  {"许", "Xu"},    {"韩", "Han"},   {"冯", "Feng"},       {"邓", "Deng"},   {"曹", "Cao"},
    {"彭", "Peng"},  {"曾", "Zeng"},  {"欧阳", "Ouyang"}, {"司马", "Sima"},
}};

constexpr std::array<CnName, 40> kCnGiven{{
    {"伟", "Wei"},       {"芳", "Fang"},      {"娜", "Na"},         {"秀英", "Xiuying"}, {"敏", "Min"},
    {"静", "Jing"},      {"丽", "Li"},        {"强", "Qiang"},      {"磊", "Lei"},       {"军", "Jun"},
    {"洋", "Yang"},      {"勇", "Yong"},      {"艳", "Yan"},        {"杰", "Jie"},       {"娟", "Juan"},
    {"涛", "Tao"},       {"明", "Ming"},      {"超", "Chao"},       {"秀兰", "Xiulan"},  {"霞", "Xia"},
    {"平", "Ping"},      {"刚", "Gang"},      {"桂英", "Guiying"},  {"建华", "Jianhua"}, {"晓明", "Xiaoming"},
    {"志强", "Zhiqiang"}, {"海燕", "Haiyan"}, {"子涵", "Zihan"},    {"浩然", "Haoran"},  {"欣怡", "Xinyi"},
    {"宇轩", "Yuxuan"},  {"梓萱", "Zixuan"},  {"雨桐", "Yutong"},   {"俊杰", "Junjie"},  {"思远", "Siyuan"},
    {"嘉怡", "Jiayi"},   {"文博", "Wenbo"},   {"一鸣", "Yiming"},   {"婷", "Ting"},      {"鹏", "Peng"},
}};

struct LatinName {
  const char* name;
  const char* ascii;  // for email addresses
};

constexpr std::array<LatinName, 36> kEnFirst{{
    {"James", "james"},     {"Mary", "mary"},         {"John", "john"},       {"Patricia", "patricia"},
    {"Robert", "robert"},   {"Jennifer", "jennifer"}, {"Michael", "michael"}, {"Linda", "linda"},
    {"William", "william"}, {"Elizabeth", "elizabeth"}, {"David", "david"},   {"Barbara", "barbara"},
    {"Richard", "richard"}, {"Susan", "susan"},       {"Joseph", "joseph"},   {"Jessica", "jessica"},
    {"Thomas", "thomas"},   {"Sarah", "sarah"},       {"Charles", "charles"}, {"Karen", "karen"},
    {"Oliver", "oliver"},   {"Amelia", "amelia"},     {"Harry", "harry"},     {"Isla", "isla"},
    {"George", "george"},   {"Emily", "emily"},       {"Jack", "jack"},       {"Sophie", "sophie"},
    {"Zoë", "zoe"},         {"Renée", "renee"},       {"José", "jose"},       {"Siobhán", "siobhan"},
    {"Seán", "sean"},       {"Mary-Kate", "marykate"}, {"Chloé", "chloe"},    {"Noah", "noah"},
}};

constexpr std::array<LatinName, 32> kEnLast{{
    {"Smith", "smith"},       {"Johnson", "johnson"},     {"Williams", "williams"},   {"Brown", "brown"},
    {"Jones", "jones"},       {"Garcia", "garcia"},       {"Miller", "miller"},       {"Davis", "davis"},
    {"Rodriguez", "rodriguez"}, {"Martinez", "martinez"}, {"Taylor", "taylor"},       {"Wilson", "wilson"},
    {"Evans", "evans"},       {"Thomas", "thomas"},       {"Roberts", "roberts"},     {"Walker", "walker"},
    {"Wright", "wright"},     {"O'Brien", "obrien"},      {"O'Connor", "oconnor"},    {"McDonald", "mcdonald"},
    {"Smith-Jones", "smithjones"}, {"Nguyen", "nguyen"},  {"Kim", "kim"},             {"Patel", "patel"},
    {"Anderson", "anderson"}, {"Clarke", "clarke"},       {"Hughes", "hughes"},       {"Murphy", "murphy"},
    {"Núñez", "nunez"},       {"Lee", "lee"},             {"Baker", "baker"},         {"Cooper", "cooper"},
}};

constexpr std::array<LatinName, 28> kDeFirst{{
    {"Lukas", "lukas"},     {"Anna", "anna"},         {"Maximilian", "maximilian"}, {"Lena", "lena"},
    {"Felix", "felix"},     {"Leonie", "leonie"},     {"Jürgen", "juergen"},        {"Jörg", "joerg"},
    {"Björn", "bjoern"},    {"Sören", "soeren"},      {"Käthe", "kaethe"},          {"Günter", "guenter"},
    {"Paul", "paul"},       {"Marie", "marie"},       {"Jonas", "jonas"},           {"Sophie", "sophie"},
    {"Stefan", "stefan"},   {"Sabine", "sabine"},     {"Andreas", "andreas"},       {"Katrin", "katrin"},
    {"Tobias", "tobias"},   {"Julia", "julia"},       {"Matthias", "matthias"},     {"Claudia", "claudia"},
    {"Hans-Peter", "hanspeter"}, {"Anne-Marie", "annemarie"}, {"Florian", "florian"}, {"Miriam", "miriam"},
}};

constexpr std::array<LatinName, 28> kDeLast{{
    {"Müller", "mueller"},     {"Schmidt", "schmidt"},     {"Schneider", "schneider"}, {"Fischer", "fischer"},
    {"Weber", "weber"},        {"Meyer", "meyer"},         {"Wagner", "wagner"},       {"Becker", "becker"},
    {"Schulz", "schulz"},      {"Hoffmann", "hoffmann"},   {"Koch", "koch"},           {"Schäfer", "schaefer"},
    {"Richter", "richter"},    {"Klein", "klein"},         {"Wolf", "wolf"},           {"Schröder", "schroeder"},
    {"Neumann", "neumann"},    {"Schwarz", "schwarz"},     {"Zimmermann", "zimmermann"}, {"Braun", "braun"},
    {"Krüger", "krueger"},     {"Hofmann", "hofmann"},     {"Hartmann", "hartmann"},   {"Lange", "lange"},
    {"von Weizsäcker", "vonweizsaecker"}, {"Groß", "gross"}, {"Weiß", "weiss"},        {"Köhler", "koehler"},
}};

// Company name parts.
constexpr std::array<LatinName, 24> kBrand{{
    {"Acme", "acme"},           {"Globex", "globex"},         {"Initech", "initech"},     {"Umbrella", "umbrella"},
    {"Northwind", "northwind"}, {"Contoso", "contoso"},       {"Fabrikam", "fabrikam"},   {"Tailspin", "tailspin"},
    {"Blue Sky", "bluesky"},    {"Summit", "summit"},         {"Pinnacle", "pinnacle"},   {"Evergreen", "evergreen"},
    {"Redwood", "redwood"},     {"Silverline", "silverline"}, {"Brightpath", "brightpath"}, {"Ironclad", "ironclad"},
    {"Vandelay", "vandelay"},   {"Hooli", "hooli"},           {"Oakridge", "oakridge"},   {"Lakeside", "lakeside"},
    {"Crescent", "crescent"},   {"Harbor", "harbor"},         {"Keystone", "keystone"},   {"Meridian", "meridian"},
}};
constexpr std::array<const char*, 12> kEnIndustry{{"Solutions", "Systems", "Logistics", "Trading", "Consulting",
                                                    "Technologies", "Industries", "Holdings", "Partners", "Software",
                                                    "Foods", "Media"}};
constexpr std::array<const char*, 10> kDeIndustry{{"Logistik", "Maschinenbau", "Handel", "Beratung", "Software",
                                                    "Technik", "Elektronik", "Bau", "Immobilien", "Medien"}};
constexpr std::array<CnName, 20> kCnBrand{{
    {"华兴", "huaxing"}, {"东方", "dongfang"}, {"长城", "changcheng"}, {"天和", "tianhe"}, {"金桥", "jinqiao"},
    {"恒信", "hengxin"}, {"瑞丰", "ruifeng"}, {"鼎盛", "dingsheng"}, {"新创", "xinchuang"}, {"远航", "yuanhang"},
    {"博雅", "boya"}, {"中联", "zhonglian"}, {"宏达", "hongda"}, {"汇通", "huitong"}, {"卓越", "zhuoyue"},
    {"明德", "mingde"}, {"正泰", "zhengtai"}, {"云帆", "yunfan"}, {"盛世", "shengshi"}, {"蓝海", "lanhai"},
}};
constexpr std::array<const char*, 10> kCnIndustry{{"科技", "贸易", "物流", "软件", "电子", "咨询", "网络", "实业",
                                                    "生物", "文化传媒"}};
constexpr std::array<const char*, 5> kFullwidthBrand{{"ABC", "TCL", "IDG", "UCC", "JDB"}};

struct City {
  const char* name;
  const char* alt;       // another spelling people type (pinyin, ASCII), or nullptr
  const char* area;      // national area code without the trunk prefix
  int subscriberDigits;  // digits after the area code
  const char* lead;      // digits a subscriber number may start with (allocated ranges libphonenumber accepts)
};

constexpr std::array<City, 8> kCnCities{{
    {"北京", "Beijing", "10", 8, "234567"},
    {"上海", "Shanghai", "21", 8, "234567"},
    {"广州", "Guangzhou", "20", 8, "234567"},
    {"深圳", "Shenzhen", "755", 8, "234567"},
    {"杭州", "Hangzhou", "571", 8, "234567"},
    {"成都", "Chengdu", "28", 8, "234567"},
    {"南京", "Nanjing", "25", 8, "234567"},
    {"武汉", "Wuhan", "27", 8, "234567"},
}};
// US exchanges: first digit 2-8 (no N11, no 555, see usNumber).
constexpr std::array<City, 10> kUsCities{{
    {"New York", "NYC", "212", 7, "2345678"},
    {"New York", nullptr, "646", 7, "2345678"},
    {"San Francisco", "SF", "415", 7, "2345678"},
    {"Chicago", nullptr, "312", 7, "2345678"},
    {"Boston", nullptr, "617", 7, "2345678"},
    {"Seattle", nullptr, "206", 7, "2345678"},
    {"Austin", nullptr, "512", 7, "2345678"},
    {"Los Angeles", "LA", "213", 7, "2345678"},
    {"Los Angeles", nullptr, "310", 7, "2345678"},
    {"Denver", nullptr, "303", 7, "2345678"},
}};
// GB: only the number ranges libphonenumber's metadata lists as allocated for each area code.
constexpr std::array<City, 7> kGbCities{{
    {"London", nullptr, "20", 8, "378"},
    {"Manchester", nullptr, "161", 7, "23456"},
    {"Birmingham", nullptr, "121", 7, "234567"},
    {"Edinburgh", nullptr, "131", 7, "23456"},
    {"Glasgow", nullptr, "141", 7, "23456"},
    {"Bristol", nullptr, "117", 7, "2349"},
    {"Leeds", nullptr, "113", 7, "2345"},
}};
// DE: subscriber numbers of the given length or one digit shorter.
constexpr std::array<City, 7> kDeCities{{
    {"Berlin", nullptr, "30", 8, "123456789"},
    {"München", "Muenchen", "89", 8, "123456789"},
    {"Hamburg", nullptr, "40", 8, "123456789"},
    {"Köln", "Koeln", "221", 7, "123456789"},
    {"Frankfurt am Main", "Frankfurt", "69", 8, "123456789"},
    {"Stuttgart", nullptr, "711", 7, "123456789"},
    {"Düsseldorf", "Duesseldorf", "211", 7, "123456789"},
}};

constexpr std::array<const char*, 8> kCnMobilePrefix{{"138", "139", "135", "136", "150", "186", "188", "159"}};
constexpr std::array<const char*, 10> kCnMobilePrefix2{{"130", "131", "132", "133", "137", "151", "152", "158",
                                                         "177", "189"}};
constexpr std::array<const char*, 9> kDeMobile8{{"151", "152", "157", "159", "160", "170", "171", "175", "176"}};

constexpr std::array<const char*, 6> kCnMail{{"qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com"}};
constexpr std::array<const char*, 5> kUsMail{{"gmail.com", "yahoo.com", "outlook.com", "aol.com", "icloud.com"}};
constexpr std::array<const char*, 5> kGbMail{{"gmail.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk",
                                               "outlook.com"}};
constexpr std::array<const char*, 5> kDeMail{{"web.de", "gmx.de", "t-online.de", "gmail.com", "posteo.de"}};

constexpr std::array<const char*, 7> kJunkPhones{{"n/a", "unknown", "123", "-", "call reception", "TBD",
                                                  "+86 138 0013"}};
constexpr std::array<const char*, 5> kJunkEmails{{"@", "none", "no email", "x@", "test@@example.com"}};

enum class Country { CN, US, GB, DE };

// ---------------------------------------------------------------------------------------------- helpers

inline void appendDigits(Rng& rng, std::string& out, int n, char firstMin = '0') {
  for (int i = 0; i < n; ++i) {
    const char lo = i == 0 ? firstMin : '0';
    out.push_back(static_cast<char>(lo + static_cast<char>(rng.below(static_cast<uint32_t>('9' - lo + 1)))));
  }
}

// A subscriber number of n digits whose first digit is one of `lead`.
inline std::string subscriber(Rng& rng, const char* lead, int n) {
  std::string sub;
  const std::string_view l = lead;
  sub.push_back(l[rng.below(static_cast<uint32_t>(l.size()))]);
  appendDigits(rng, sub, n - 1);
  return sub;
}

// Copies digits of `d` into `out`, inserting `sep` before the digit positions listed in `breaks`.
inline void grouped(std::string& out, std::string_view d, std::initializer_list<size_t> breaks, std::string_view sep) {
  size_t prev = 0;
  for (size_t b : breaks) {
    if (b >= d.size()) break;
    out.append(d.substr(prev, b - prev));
    out.append(sep);
    prev = b;
  }
  out.append(d.substr(prev));
}

inline void appendLowerAscii(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-' || c == '\'') continue;
    out.push_back(c);
  }
}

inline void capitalizeAscii(std::string& s, size_t from) {
  bool start = true;
  for (size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= 'a' && c <= 'z') {
      if (start) s[i] = static_cast<char>(c - 'a' + 'A');
      start = false;
    } else if (c == '.' || c == '_' || c == '@') {
      start = true;
    } else {
      start = false;
    }
  }
}

inline void upperAscii(std::string& s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] >= 'a' && s[i] <= 'z') s[i] = static_cast<char>(s[i] - 'a' + 'A');
  }
}

// ASCII printable characters to their full-width forms (U+FF01..U+FF5E); space to U+3000. NFKC undoes this.
inline void appendFullwidth(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == ' ') {
      out.append("\xE3\x80\x80");
    } else if (c > 0x20 && c < 0x7F) {
      const unsigned cp = 0xFF01u + static_cast<unsigned>(c - 0x21);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(c);
    }
  }
}

// Appends one CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
inline void appendCsvField(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

// s = p + s, without std::string::insert (GCC 12 gives a false -Wrestrict on insert(0, ...) at -O3).
inline void prepend(std::string& s, std::string_view p) {
  std::string t;
  t.reserve(p.size() + s.size());
  t.append(p);
  t.append(s);
  s.swap(t);
}

// Sometimes pads a value with stray whitespace, as hand-typed CRM data has (for the trim normalizer).
inline void maybePad(Rng& rng, std::string& s, uint32_t permille) {
  if (s.empty() || !rng.chance(permille)) return;
  switch (rng.below(3)) {
    case 0: prepend(s, " "); break;
    case 1: s.append(" "); break;
    default: prepend(s, "  "); s.append("\t"); break;
  }
}

}  // namespace crmsync::gen
