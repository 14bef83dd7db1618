// Reproduces, step by step, what libphonenumber 8.12's PhoneNumberUtil::Parse, IsValidNumber and Format(E164) do
// with inputs made of digits and simple separators; the function names in the comments are libphonenumber's. The
// differential test (tests/unit/normalize/phone_fast_path_test.cpp) checks the results against libphonenumber.
#include "normalize/phone_fast_path.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <vector>

// libphonenumber.so exports its compiled-in metadata (a serialized PhoneMetadataCollection) but ships no header
// declaring it.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace crmsync::normalize::detail {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;
using ErrorType = PhoneNumberUtil::ErrorType;

namespace {

constexpr std::size_t kMinLengthForNsn = 2;   // PhoneNumberUtil::kMinLengthForNsn
constexpr std::size_t kMaxLengthForNsn = 17;  // PhoneNumberUtil::kMaxLengthForNsn
constexpr int kMaxLengthCountryCode = 3;      // PhoneNumberUtil::kMaxLengthCountryCode
constexpr int kMaxCaptureGroups = 9;

std::unique_ptr<RE2> compile(const std::string& pattern, bool captures, bool& ok) {
  for (unsigned char c : pattern) {
    if (c >= 0x80) ok = false;  // the metadata is ASCII; anything else would need checking against ICU first
  }
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  options.set_never_capture(!captures);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) ok = false;
  return re;
}

bool fullMatch(const RE2& re, std::string_view s) {
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

// RegExp::Consume on a fresh input: a match anchored at the start of s (ICU lookingAt, leftmost-first like RE2).
bool consume(const RE2& re, std::string_view s, re2::StringPiece* groups = nullptr, int ngroups = 0) {
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_START, groups, ngroups);
}

// One PhoneNumberDesc: national_number_pattern and possible_length.
struct Desc {
  std::unique_ptr<RE2> pattern;  // null when the pattern is empty (MatchNationalNumber is then false)
  uint32_t lengths = 0;          // bit L set when L is in possible_length
  bool hasLengths = false;       // possible_length_size() > 0

  void load(const PhoneNumberDesc& d, bool& ok) {
    if (!d.national_number_pattern().empty()) pattern = compile(d.national_number_pattern(), false, ok);
    hasLengths = d.possible_length_size() > 0;
    for (int l : d.possible_length()) {
      if (l == -1) continue;  // "no numbers of this type": matches no length
      if (l < 0 || l > 31) {
        ok = false;
        continue;
      }
      lengths |= uint32_t{1} << l;
    }
  }

  // IsMatch / MatchNationalNumber(number, desc, false): the pattern only.
  bool matchesPattern(std::string_view nsn) const { return pattern && fullMatch(*pattern, nsn); }

  // IsNumberMatchingDesc: possible lengths (when present), then the pattern.
  bool matches(std::string_view nsn) const {
    if (hasLengths && (nsn.size() > 31 || !(lengths & (uint32_t{1} << nsn.size())))) return false;
    return matchesPattern(nsn);
  }
};

// national_prefix_transform_rule as ICU's replaceFirst reads it: literal text and $n group references.
struct TransformPiece {
  std::string literal;
  int group = -1;  // >= 0: the text of that capture group
};

enum class LengthResult { kPossible, kPossibleLocalOnly, kTooShort, kTooLong, kInvalidLength };

struct Region {
  std::string id;
  int countryCode = 0;
  std::string countryCodeText;
  std::unique_ptr<RE2> internationalPrefix;
  std::unique_ptr<RE2> nationalPrefixForParsing;  // null when empty
  int nationalPrefixGroups = 0;
  std::vector<TransformPiece> transform;  // empty when there is no transform rule
  bool hasLeadingDigits = false;
  std::unique_ptr<RE2> leadingDigits;
  bool sameMobileAndFixedLinePattern = false;
  Desc general;
  // GetNumberTypeHelper's specific types; only "is any of them a match" matters for validity, so the likely
  // ones come first. Mobile is only looked at when its pattern differs from fixed line's, as upstream does.
  Desc fixedLine, mobile;
  std::array<Desc, 8> otherTypes;
  std::vector<int> possibleLengths;  // general_desc's, for TestNumberLength
  std::vector<int> localOnlyLengths;

  void load(const PhoneMetadata& m, bool& ok) {
    id = m.id();
    countryCode = m.country_code();
    countryCodeText = std::to_string(countryCode);
    internationalPrefix = compile(m.international_prefix(), true, ok);
    if (!m.national_prefix_for_parsing().empty()) {
      nationalPrefixForParsing = compile(m.national_prefix_for_parsing(), true, ok);
      nationalPrefixGroups = nationalPrefixForParsing->NumberOfCapturingGroups();
      if (nationalPrefixGroups < 0 || nationalPrefixGroups > kMaxCaptureGroups) ok = false;
    }
    if (!m.national_prefix_transform_rule().empty()) parseTransform(m.national_prefix_transform_rule(), ok);
    hasLeadingDigits = m.has_leading_digits();
    if (hasLeadingDigits) leadingDigits = compile(m.leading_digits(), false, ok);
    sameMobileAndFixedLinePattern = m.same_mobile_and_fixed_line_pattern();
    general.load(m.general_desc(), ok);
    fixedLine.load(m.fixed_line(), ok);
    mobile.load(m.mobile(), ok);
    const PhoneNumberDesc* others[] = {&m.premium_rate(), &m.toll_free(), &m.shared_cost(), &m.voip(),
                                       &m.personal_number(), &m.pager(), &m.uan(), &m.voicemail()};
    for (std::size_t i = 0; i < otherTypes.size(); ++i) otherTypes[i].load(*others[i], ok);
    possibleLengths.assign(m.general_desc().possible_length().begin(), m.general_desc().possible_length().end());
    localOnlyLengths.assign(m.general_desc().possible_length_local_only().begin(),
                            m.general_desc().possible_length_local_only().end());
    if (possibleLengths.empty()) ok = false;  // upstream reads possible_length(0) unconditionally
  }

  // ICU replacement syntax: "\x" is a literal x, "$n" is group n (as many digits as still name a group).
  void parseTransform(const std::string& rule, bool& ok) {
    if (!nationalPrefixForParsing) {
      ok = false;  // upstream never reaches the rule without a prefix pattern; not expected in the metadata
      return;
    }
    std::string literal;
    for (std::size_t i = 0; i < rule.size(); ++i) {
      char c = rule[i];
      if (c == '\\' && i + 1 < rule.size()) {
        literal += rule[++i];
      } else if (c == '$') {
        int group = -1;
        while (i + 1 < rule.size() && rule[i + 1] >= '0' && rule[i + 1] <= '9') {
          int next = (group < 0 ? 0 : group * 10) + (rule[i + 1] - '0');
          if (next > nationalPrefixGroups) break;
          group = next;
          ++i;
        }
        if (group < 0) {
          ok = false;  // ICU fails the replacement: not reproduced
          return;
        }
        transform.push_back({literal, -1});
        literal.clear();
        transform.push_back({"", group});
      } else {
        literal += c;
      }
    }
    if (!literal.empty()) transform.push_back({literal, -1});
    if (transform.empty()) ok = false;
  }

  // TestNumberLength(number, metadata) with type UNKNOWN: the general description's lengths.
  LengthResult testNumberLength(std::size_t length) const {
    if (possibleLengths.front() == -1) return LengthResult::kInvalidLength;
    const int actual = static_cast<int>(length);
    if (std::find(localOnlyLengths.begin(), localOnlyLengths.end(), actual) != localOnlyLengths.end()) {
      return LengthResult::kPossibleLocalOnly;
    }
    const int minimum = possibleLengths.front();
    if (minimum == actual) return LengthResult::kPossible;
    if (minimum > actual) return LengthResult::kTooShort;
    if (possibleLengths.back() < actual) return LengthResult::kTooLong;
    return std::find(possibleLengths.begin() + 1, possibleLengths.end(), actual) != possibleLengths.end()
               ? LengthResult::kPossible
               : LengthResult::kInvalidLength;
  }

  // GetNumberTypeHelper(nsn, metadata) != UNKNOWN.
  bool hasKnownType(std::string_view nsn) const {
    if (!general.matches(nsn)) return false;
    if (fixedLine.matches(nsn)) return true;
    if (!sameMobileAndFixedLinePattern && mobile.matches(nsn)) return true;
    for (const Desc& d : otherTypes) {
      if (d.matches(nsn)) return true;
    }
    return false;
  }

  // MaybeStripNationalPrefixAndCarrierCode (the carrier code itself is not needed).
  void maybeStripNationalPrefix(std::string& number) const {
    if (number.empty() || !nationalPrefixForParsing) return;
    const bool viableOriginal = general.matchesPattern(number);
    std::array<re2::StringPiece, kMaxCaptureGroups + 1> groups;
    if (!consume(*nationalPrefixForParsing, number, groups.data(), nationalPrefixGroups + 1)) return;
    const std::size_t matchEnd = groups[0].size();
    // Upstream first tries Consume(&carrier, &captured) (needs two groups), then Consume(&captured) (needs one).
    if (!transform.empty() && nationalPrefixGroups >= 1) {
      const re2::StringPiece captured = nationalPrefixGroups >= 2 ? groups[2] : groups[1];
      if (!captured.empty()) {
        std::string transformed;  // replaceFirst: the match (at the start) becomes the rule, the rest stays
        for (const TransformPiece& p : transform) {
          if (p.group < 0) {
            transformed += p.literal;
          } else if (groups[p.group].data() != nullptr) {
            transformed.append(groups[p.group].data(), groups[p.group].size());
          }
        }
        transformed.append(number, matchEnd, std::string::npos);
        if (viableOriginal && !general.matchesPattern(transformed)) return;
        number = std::move(transformed);
        return;
      }
    }
    // No transformation: the prefix is just removed.
    std::string stripped = number.substr(matchEnd);
    if (viableOriginal && !general.matchesPattern(stripped)) return;
    number = std::move(stripped);
  }
};

// Printable ASCII without digits and not only spaces: text no phone number can be read from.
bool isDigitlessText(std::string_view s) {
  bool printable = false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7E || (c >= '0' && c <= '9')) return false;
    if (c != ' ') printable = true;
  }
  return printable;
}

// The extension forms handled here, at the very end of the input: "ext", "extn", "extension" (explicit labels,
// up to 20 digits) or "x" (ambiguous label, up to 9 digits), any case, then an optional '.' or ':', spaces or
// hyphens, the digits, and trailing spaces. libphonenumber's extension pattern reads exactly these digits.
bool parseExtension(std::string_view s, std::string& extension, bool& ambiguousLabel) {
  std::size_t i = 0;
  char label[10];
  std::size_t labelLength = 0;
  while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) {
    if (labelLength == sizeof label) return false;
    label[labelLength++] = static_cast<char>(s[i] | 0x20);
    ++i;
  }
  const std::string_view l(label, labelLength);
  std::size_t limit = 0;
  if (l == "ext" || l == "extn" || l == "extension") {
    limit = 20;
    ambiguousLabel = false;
  } else if (l == "x") {
    limit = 9;
    ambiguousLabel = true;
  } else {
    return false;
  }
  if (i < s.size() && (s[i] == '.' || s[i] == ':')) ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '-')) ++i;
  const std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::size_t count = i - start;
  if (count == 0 || count > limit) return false;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i != s.size()) return false;
  extension.assign(s.substr(start, count));
  return true;
}

bool isTwoLetterCode(std::string_view id) {
  return id.size() == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z';
}

}  // namespace

struct PhoneFastPath::Tables {
  bool ready = false;
  std::vector<std::unique_ptr<Region>> regions;
  std::array<const Region*, 26 * 26> byId{};  // geographical regions by two-letter code
  // GetRegionCodesForCountryCallingCode, in libphonenumber's order (main country first); non-geographical
  // entities ("001") appear under their own calling code.
  std::array<std::vector<const Region*>, 1000> byCountryCode;

  const Region* region(std::string_view id) const {
    if (!isTwoLetterCode(id)) return nullptr;
    return byId[static_cast<std::size_t>((id[0] - 'A') * 26 + (id[1] - 'A'))];
  }

  bool knownCountryCode(int cc) const { return cc > 0 && cc < 1000 && !byCountryCode[cc].empty(); }

  void load() {
    PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) return;
    bool ok = true;
    for (const PhoneMetadata& m : collection.metadata()) {
      if (m.id() == "ZZ") continue;  // RegionCode::GetUnknown(), skipped by PhoneNumberUtil too
      const bool nonGeo = m.id() == "001";
      if (!nonGeo && !isTwoLetterCode(m.id())) ok = false;
      if (m.country_code() <= 0 || m.country_code() >= 1000) {
        ok = false;
        continue;
      }
      auto r = std::make_unique<Region>();
      r->load(m, ok);
      if (!nonGeo) {
        auto& slot = byId[static_cast<std::size_t>((m.id()[0] - 'A') * 26 + (m.id()[1] - 'A'))];
        if (slot == nullptr) slot = r.get();  // the first one wins, as in region_to_metadata_map_->insert
      }
      auto& list = byCountryCode[static_cast<std::size_t>(m.country_code())];
      if (!list.empty() && m.main_country_for_code()) {
        list.insert(list.begin(), r.get());
      } else {
        list.push_back(r.get());
      }
      if (nonGeo && list.size() > 1) ok = false;  // a calling code shared by "001" and a region: not expected
      regions.push_back(std::move(r));
    }
    ready = ok && !regions.empty();
  }

  // MaybeExtractCountryCode. number holds the digits of the input (ExtractPossibleNumber + Normalize: the input
  // shapes handled here have no letters, so normalizing keeps exactly the digits). Sets countryCode only on
  // success, to the extracted code or 0 when the number has none.
  ErrorType maybeExtractCountryCode(const Region* defaultRegion, bool plus, std::string& number,
                                    int& countryCode) const {
    bool international = plus;  // MaybeStripInternationalPrefixAndNormalize
    if (!plus && defaultRegion != nullptr) {
      // ParsePrefixAsIdd: strip the region's IDD unless the digit after it is a 0. Without a default region the
      // IDD pattern is "NonMatch", which digits never match.
      re2::StringPiece match;
      if (consume(*defaultRegion->internationalPrefix, number, &match, 1)) {
        const std::size_t end = match.size();
        if (end >= number.size() || number[end] != '0') {
          number.erase(0, end);
          international = true;
        }
      }
    }
    if (international) {
      if (number.size() <= kMinLengthForNsn) return PhoneNumberUtil::TOO_SHORT_AFTER_IDD;
      // ExtractCountryCode
      if (number[0] == '0') return PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR;
      int candidate = 0;
      for (int i = 1; i <= kMaxLengthCountryCode; ++i) {
        candidate = candidate * 10 + (number[static_cast<std::size_t>(i - 1)] - '0');
        if (knownCountryCode(candidate)) {
          number.erase(0, static_cast<std::size_t>(i));
          countryCode = candidate;
          return PhoneNumberUtil::NO_PARSING_ERROR;
        }
      }
      return PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR;
    }
    if (defaultRegion != nullptr) {
      // A national number that starts with the default region's own calling code: keep it without the code when
      // that fits the region's pattern better, or when the whole is too long for the region.
      const std::string& ccText = defaultRegion->countryCodeText;
      if (number.compare(0, ccText.size(), ccText) == 0) {
        std::string potential = number.substr(ccText.size());
        defaultRegion->maybeStripNationalPrefix(potential);
        if ((!defaultRegion->general.matchesPattern(number) && defaultRegion->general.matchesPattern(potential)) ||
            defaultRegion->testNumberLength(number.size()) == LengthResult::kTooLong) {
          number = std::move(potential);
          countryCode = defaultRegion->countryCode;
          return PhoneNumberUtil::NO_PARSING_ERROR;
        }
      }
    }
    countryCode = 0;
    return PhoneNumberUtil::NO_PARSING_ERROR;
  }

  // IsValidNumber: GetRegionCodeForNumber, then IsValidNumberForRegion.
  bool isValid(int countryCode, std::string_view nsn) const {
    const auto& candidates = byCountryCode[static_cast<std::size_t>(countryCode)];
    if (candidates.empty()) return false;
    if (candidates.size() == 1) return candidates.front()->hasKnownType(nsn);
    // GetRegionCodeForNumberFromRegionList: the first region whose leading digits match, or, for regions without
    // leading digits, whose number types match.
    for (const Region* r : candidates) {
      if (r->hasLeadingDigits) {
        if (consume(*r->leadingDigits, nsn)) return r->hasKnownType(nsn);
      } else if (r->hasKnownType(nsn)) {
        return true;
      }
    }
    return false;  // "ZZ"
  }
};

const PhoneFastPath& PhoneFastPath::instance() {
  static const PhoneFastPath fastPath;
  return fastPath;
}

PhoneFastPath::PhoneFastPath() : t_(std::make_unique<Tables>()) { t_->load(); }
PhoneFastPath::~PhoneFastPath() = default;

bool PhoneFastPath::ready() const { return t_->ready; }

std::optional<FastPhoneOutcome> PhoneFastPath::normalize(std::string_view input,
                                                         std::string_view defaultRegion) const {
  if (!t_->ready || input.empty() || input.size() > kMaxInput) return std::nullopt;

  // The shape check, and what ExtractPossibleNumber + IsViablePhoneNumber + Normalize make of it: the number
  // starts at the first '+' or digit and ends at the last digit; its digits are all that is left once normalized.
  char digits[kMaxInput];
  std::size_t digitCount = 0;
  std::size_t firstDigit = 0;
  std::size_t lastDigit = 0;
  std::size_t suffix = std::string_view::npos;  // where something other than digits and separators starts
  char beforeSuffix = 0;                         // the last character before it that is not a space
  bool plus = false;
  bool started = false;  // seen anything but spaces
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c >= '0' && c <= '9') {
      if (digitCount == 0) firstDigit = i;
      lastDigit = i;
      digits[digitCount++] = c;
      started = true;
    } else if (c == ' ') {
      continue;
    } else if (c == '+') {
      if (started) return std::nullopt;
      plus = true;
      started = true;
    } else if (c == '-' || c == '.' || c == '(' || c == ')' || c == '/') {
      started = true;
    } else {
      suffix = i;
      break;
    }
    beforeSuffix = c;
  }

  std::string extension;
  if (suffix != std::string_view::npos) {
    const std::string_view rest = input.substr(suffix);
    if (digitCount == 0 && isDigitlessText(rest)) {
      // No digit anywhere (and no other script that NFKC could turn into digits): never a viable number.
      FastPhoneOutcome out;
      out.error = PhoneNumberUtil::NOT_A_NUMBER;
      return out;
    }
    bool ambiguousLabel = false;
    if (!parseExtension(rest, extension, ambiguousLabel)) return std::nullopt;
    // "… / x12" reads as the start of a second number in ExtractPossibleNumber; at least three digits keep the
    // number viable both with and without its extension.
    if ((ambiguousLabel && beforeSuffix == '/') || digitCount < 3) return std::nullopt;
  } else if (!started) {
    return std::nullopt;  // blank: the caller reports it as empty
  }

  FastPhoneOutcome out;
  auto fail = [&out](ErrorType e) {
    out.error = e;
    return out;
  };

  // IsViablePhoneNumber: two digits and nothing else, or at least three digits (after an optional plus) with
  // punctuation between them. Every separator accepted above is valid punctuation.
  bool viable = false;
  if (digitCount >= 3) {
    viable = true;
  } else if (digitCount == 2 && !plus) {
    viable = lastDigit == firstDigit + 1;
  }
  if (!viable) return fail(PhoneNumberUtil::NOT_A_NUMBER);

  // CheckRegionForParsing. MaybeStripExtension has found the extension parsed above, or nothing: every form it
  // knows needs a letter, '#', '~', ',' or ';'.
  const Region* region = t_->region(defaultRegion);
  if (region == nullptr && !plus) return fail(PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR);

  std::string number(digits, digitCount);
  int countryCode = 0;
  ErrorType error = t_->maybeExtractCountryCode(region, plus, number, countryCode);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    if (error != PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR || !plus) return fail(error);
    // A '+' followed by no known calling code: libphonenumber retries without the plus (IDD or the default
    // region's code may follow) and ignores that second call's own error.
    number.assign(digits, digitCount);
    countryCode = 0;
    t_->maybeExtractCountryCode(region, false, number, countryCode);
    if (countryCode == 0) return fail(PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR);
  }

  // The metadata the rest of Parse works with: the calling code's main region, else the default region.
  const Region* metadata = region;
  if (countryCode != 0) {
    metadata = t_->byCountryCode[static_cast<std::size_t>(countryCode)].front();
  } else {
    countryCode = region->countryCode;  // region is not null here: no '+' means a known default region
  }
  if (number.size() < kMinLengthForNsn) return fail(PhoneNumberUtil::TOO_SHORT_NSN);

  // Strip the national prefix only when what remains still has a possible length (it might be a short number).
  std::string potential = number;
  metadata->maybeStripNationalPrefix(potential);
  const LengthResult length = metadata->testNumberLength(potential.size());
  if (length != LengthResult::kTooShort && length != LengthResult::kPossibleLocalOnly &&
      length != LengthResult::kInvalidLength) {
    number = std::move(potential);
  }
  if (number.size() < kMinLengthForNsn) return fail(PhoneNumberUtil::TOO_SHORT_NSN);
  if (number.size() > kMaxLengthForNsn) return fail(PhoneNumberUtil::TOO_LONG_NSN);

  // The national significant number libphonenumber rebuilds from national_number, italian_leading_zero and
  // number_of_leading_zeros is exactly these digits, leading zeros included.
  out.extension = std::move(extension);
  out.valid = t_->isValid(countryCode, number);
  if (out.valid) {
    const Region* main = t_->byCountryCode[static_cast<std::size_t>(countryCode)].front();
    out.e164.reserve(1 + main->countryCodeText.size() + number.size());
    out.e164 += '+';
    out.e164 += main->countryCodeText;
    out.e164 += number;
  }
  return out;
}

}  // namespace crmsync::normalize::detail
