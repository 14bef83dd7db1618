// Double Metaphone as Philips published it: a left-to-right scan over the upper-cased word in which each rule
// looks a few letters back and ahead. The rule comments name the words each rule was made for.
#include "crmsync/normalize/double_metaphone.hpp"

#include <initializer_list>

namespace crmsync::normalize {
namespace {

class Encoder {
 public:
  Encoder(std::string_view word, std::size_t maxLength) : maxLength_(maxLength) {
    value_.reserve(word.size());
    for (char c : word) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      value_ += c;
    }
    length_ = static_cast<int>(value_.size());
    last_ = length_ - 1;
    slavoGermanic_ = value_.find('W') != std::string::npos || value_.find('K') != std::string::npos ||
                     value_.find("CZ") != std::string::npos || value_.find("WITZ") != std::string::npos;
  }

  DoubleMetaphoneCode run() {
    int i = 0;
    if (at(0, 2, {"GN", "KN", "PN", "WR", "PS"})) i = 1;  // silent first letter
    while (!complete() && i <= last_) {
      switch (charAt(i)) {
        case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
          if (i == 0) add("A");  // a vowel only counts at the start
          ++i;
          break;
        case 'B':
          add("P");
          i += charAt(i + 1) == 'B' ? 2 : 1;
          break;
        case 'C': i = handleC(i); break;
        case 'D': i = handleD(i); break;
        case 'F':
          add("F");
          i += charAt(i + 1) == 'F' ? 2 : 1;
          break;
        case 'G': i = handleG(i); break;
        case 'H': i = handleH(i); break;
        case 'J': i = handleJ(i); break;
        case 'K':
          add("K");
          i += charAt(i + 1) == 'K' ? 2 : 1;
          break;
        case 'L': i = handleL(i); break;
        case 'M':
          add("M");
          i += conditionM0(i) ? 2 : 1;
          break;
        case 'N':
          add("N");
          i += charAt(i + 1) == 'N' ? 2 : 1;
          break;
        case 'P': i = handleP(i); break;
        case 'Q':
          add("K");
          i += charAt(i + 1) == 'Q' ? 2 : 1;
          break;
        case 'R': i = handleR(i); break;
        case 'S': i = handleS(i); break;
        case 'T': i = handleT(i); break;
        case 'V':
          add("F");
          i += charAt(i + 1) == 'V' ? 2 : 1;
          break;
        case 'W': i = handleW(i); break;
        case 'X': i = handleX(i); break;
        case 'Z': i = handleZ(i); break;
        default: ++i; break;
      }
    }
    return {primary_, alternate_};
  }

 private:
  char charAt(int i) const { return i < 0 || i >= length_ ? '\0' : value_[static_cast<std::size_t>(i)]; }

  static bool isVowel(char c) {
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
  }

  // Whether the n letters at start are one of the candidates; false when they run off either end.
  bool at(int start, int n, std::initializer_list<std::string_view> candidates) const {
    if (start < 0 || start + n > length_) return false;
    std::string_view s(value_.data() + start, static_cast<std::size_t>(n));
    for (auto c : candidates) {
      if (s == c) return true;
    }
    return false;
  }

  bool complete() const { return primary_.size() >= maxLength_ && alternate_.size() >= maxLength_; }

  static void appendLimited(std::string& code, std::string_view part, std::size_t maxLength) {
    if (code.size() >= maxLength) return;
    code.append(part.substr(0, maxLength - code.size()));
  }
  void add(std::string_view both) { add(both, both); }
  void add(std::string_view primary, std::string_view alternate) {
    appendLimited(primary_, primary, maxLength_);
    appendLimited(alternate_, alternate, maxLength_);
  }

  int handleC(int i) {
    if (conditionC0(i)) {  // "ACH" as in "Bacher", "Macher"
      add("K");
      return i + 2;
    }
    if (i == 0 && at(i, 6, {"CAESAR"})) {
      add("S");
      return i + 2;
    }
    if (at(i, 2, {"CH"})) return handleCH(i);
    if (at(i, 2, {"CZ"}) && !at(i - 2, 4, {"WICZ"})) {  // "Czerny"
      add("S", "X");
      return i + 2;
    }
    if (at(i + 1, 3, {"CIA"})) {  // "focaccia"
      add("X");
      return i + 3;
    }
    if (at(i, 2, {"CC"}) && !(i == 1 && charAt(0) == 'M')) return handleCC(i);  // but not "McClellan"
    if (at(i, 2, {"CK", "CG", "CQ"})) {
      add("K");
      return i + 2;
    }
    if (at(i, 2, {"CI", "CE", "CY"})) {  // Italian against English
      if (at(i, 3, {"CIO", "CIE", "CIA"})) {
        add("S", "X");
      } else {
        add("S");
      }
      return i + 2;
    }
    add("K");
    if (at(i + 1, 2, {" C", " Q", " G"})) return i + 3;  // "Mac Caffrey", "Mac Gregor"
    if (at(i + 1, 1, {"C", "K", "Q"}) && !at(i + 1, 2, {"CE", "CI"})) return i + 2;
    return i + 1;
  }

  bool conditionC0(int i) const {
    if (at(i, 4, {"CHIA"})) return true;
    if (i <= 1) return false;
    if (isVowel(charAt(i - 2))) return false;
    if (!at(i - 1, 3, {"ACH"})) return false;
    char c = charAt(i + 2);
    return (c != 'I' && c != 'E') || at(i - 2, 6, {"BACHER", "MACHER"});
  }

  int handleCC(int i) {
    if (at(i + 2, 1, {"I", "E", "H"}) && !at(i + 2, 2, {"HU"})) {  // "bellocchio" but not "bacchus"
      if ((i == 1 && charAt(i - 1) == 'A') || at(i - 1, 5, {"UCCEE", "UCCES"})) {
        add("KS");  // "accident", "accede", "succeed"
      } else {
        add("X");  // "bacci", "bertucci"
      }
      return i + 3;
    }
    add("K");  // Pierce's rule
    return i + 2;
  }

  int handleCH(int i) {
    if (i > 0 && at(i, 4, {"CHAE"})) {  // "Michael"
      add("K", "X");
      return i + 2;
    }
    if (conditionCH0(i) || conditionCH1(i)) {  // Greek and Germanic roots: "chorus", "Bach"
      add("K");
      return i + 2;
    }
    if (i > 0) {
      if (at(0, 2, {"MC"})) {
        add("K");
      } else {
        add("X", "K");
      }
    } else {
      add("X");
    }
    return i + 2;
  }

  bool conditionCH0(int i) const {
    if (i != 0) return false;
    if (!at(i + 1, 5, {"HARAC", "HARIS"}) && !at(i + 1, 3, {"HOR", "HYM", "HIA", "HEM"})) return false;
    return !at(0, 5, {"CHORE"});
  }

  bool conditionCH1(int i) const {
    return at(0, 4, {"VAN ", "VON "}) || at(0, 3, {"SCH"}) || at(i - 2, 6, {"ORCHES", "ARCHIT", "ORCHID"}) ||
           at(i + 2, 1, {"T", "S"}) ||
           ((at(i - 1, 1, {"A", "O", "U", "E"}) || i == 0) &&
            (at(i + 2, 1, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}) || i + 1 == last_));
  }

  int handleD(int i) {
    if (at(i, 2, {"DG"})) {
      if (at(i + 2, 1, {"I", "E", "Y"})) {  // "edge"
        add("J");
        return i + 3;
      }
      add("TK");  // "Edgar"
      return i + 2;
    }
    add("T");
    return at(i, 2, {"DT", "DD"}) ? i + 2 : i + 1;
  }

  int handleG(int i) {
    if (charAt(i + 1) == 'H') return handleGH(i);
    if (charAt(i + 1) == 'N') {
      if (i == 1 && isVowel(charAt(0)) && !slavoGermanic_) {
        add("KN", "N");
      } else if (!at(i + 2, 2, {"EY"}) && charAt(i + 1) != 'Y' && !slavoGermanic_) {
        add("N", "KN");
      } else {
        add("KN");
      }
      return i + 2;
    }
    if (at(i + 1, 2, {"LI"}) && !slavoGermanic_) {  // "tagliaro"
      add("KL", "L");
      return i + 2;
    }
    if (i == 0 &&
        (charAt(i + 1) == 'Y' || at(i + 1, 2, {"ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"}))) {
      add("K", "J");  // -ges-, -gep-, -gel-, -gie- at the start
      return i + 2;
    }
    if ((at(i + 1, 2, {"ER"}) || charAt(i + 1) == 'Y') && !at(0, 6, {"DANGER", "RANGER", "MANGER"}) &&
        !at(i - 1, 1, {"E", "I"}) && !at(i - 1, 3, {"RGY", "OGY"})) {
      add("K", "J");  // -ger-, -gy-
      return i + 2;
    }
    if (at(i + 1, 1, {"E", "I", "Y"}) || at(i - 1, 4, {"AGGI", "OGGI"})) {  // Italian "biaggi"
      if (at(0, 4, {"VAN ", "VON "}) || at(0, 3, {"SCH"}) || at(i + 1, 2, {"ET"})) {
        add("K");  // obviously Germanic
      } else if (at(i + 1, 3, {"IER"})) {
        add("J");
      } else {
        add("J", "K");
      }
      return i + 2;
    }
    add("K");
    return charAt(i + 1) == 'G' ? i + 2 : i + 1;
  }

  int handleGH(int i) {
    if (i > 0 && !isVowel(charAt(i - 1))) {
      add("K");
      return i + 2;
    }
    if (i == 0) {  // "ghislane", "ghiradelli"
      add(charAt(i + 2) == 'I' ? "J" : "K");
      return i + 2;
    }
    // Parker's rule: "hugh", "bough", "broughton" are silent.
    if ((i > 1 && at(i - 2, 1, {"B", "H", "D"})) || (i > 2 && at(i - 3, 1, {"B", "H", "D"})) ||
        (i > 3 && at(i - 4, 1, {"B", "H"}))) {
      return i + 2;
    }
    if (i > 2 && charAt(i - 1) == 'U' && at(i - 3, 1, {"C", "G", "L", "R", "T"})) {
      add("F");  // "laugh", "McLaughlin", "cough", "rough"
    } else if (i > 0 && charAt(i - 1) != 'I') {
      add("K");
    }
    return i + 2;
  }

  int handleH(int i) {
    // Kept only first or between vowels; "HH" is one sound.
    if ((i == 0 || isVowel(charAt(i - 1))) && isVowel(charAt(i + 1))) {
      add("H");
      return i + 2;
    }
    return i + 1;
  }

  int handleJ(int i) {
    if (at(i, 4, {"JOSE"}) || at(0, 4, {"SAN "})) {  // Spanish: "Jose", "San Jacinto"
      if ((i == 0 && charAt(i + 4) == ' ') || length_ == 4 || at(0, 4, {"SAN "})) {
        add("H");
      } else {
        add("J", "H");
      }
      return i + 1;
    }
    if (i == 0) {
      add("J", "A");  // "Yankelovich" spelled "Jankelowicz"
    } else if (isVowel(charAt(i - 1)) && !slavoGermanic_ && (charAt(i + 1) == 'A' || charAt(i + 1) == 'O')) {
      add("J", "H");  // Spanish pronunciation of e.g. "bajador"
    } else if (i == last_) {
      add("J", "");
    } else if (!at(i + 1, 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) && !at(i - 1, 1, {"S", "K", "L"})) {
      add("J");
    }
    return charAt(i + 1) == 'J' ? i + 2 : i + 1;
  }

  int handleL(int i) {
    if (charAt(i + 1) == 'L') {
      if (conditionL0(i)) {
        add("L", "");  // Spanish "cabrillo", "gallegos"
      } else {
        add("L");
      }
      return i + 2;
    }
    add("L");
    return i + 1;
  }

  bool conditionL0(int i) const {
    if (i == length_ - 3 && at(i - 1, 4, {"ILLO", "ILLA", "ALLE"})) return true;
    return (at(length_ - 2, 2, {"AS", "OS"}) || at(length_ - 1, 1, {"A", "O"})) && at(i - 1, 4, {"ALLE"});
  }

  bool conditionM0(int i) const {
    if (charAt(i + 1) == 'M') return true;
    return at(i - 1, 3, {"UMB"}) && (i + 1 == last_ || at(i + 2, 2, {"ER"}));  // "dumb", "thumb"
  }

  int handleP(int i) {
    if (charAt(i + 1) == 'H') {
      add("F");
      return i + 2;
    }
    add("P");
    return at(i + 1, 1, {"P", "B"}) ? i + 2 : i + 1;  // "Campbell", "raspberry"
  }

  int handleR(int i) {
    if (i == last_ && !slavoGermanic_ && at(i - 2, 2, {"IE"}) && !at(i - 4, 2, {"ME", "MA"})) {
      add("", "R");  // French "Rogier", but not "Hochmeier"
    } else {
      add("R");
    }
    return charAt(i + 1) == 'R' ? i + 2 : i + 1;
  }

  int handleS(int i) {
    if (at(i - 1, 3, {"ISL", "YSL"})) return i + 1;  // "island", "isle", "Carlisle", "Carlysle"
    if (i == 0 && at(i, 5, {"SUGAR"})) {
      add("X", "S");
      return i + 1;
    }
    if (at(i, 2, {"SH"})) {
      if (at(i + 1, 4, {"HEIM", "HOEK", "HOLM", "HOLZ"})) {
        add("S");  // Germanic
      } else {
        add("X");
      }
      return i + 2;
    }
    if (at(i, 3, {"SIO", "SIA"}) || at(i, 4, {"SIAN"})) {  // Italian and Armenian
      if (slavoGermanic_) {
        add("S");
      } else {
        add("S", "X");
      }
      return i + 3;
    }
    // German and anglicised forms: "Smith" against "Schmidt", "Snider" against "Schneider"; Slavic -sz-.
    if ((i == 0 && at(i + 1, 1, {"M", "N", "L", "W"})) || at(i + 1, 1, {"Z"})) {
      add("S", "X");
      return at(i + 1, 1, {"Z"}) ? i + 2 : i + 1;
    }
    if (at(i, 2, {"SC"})) return handleSC(i);
    if (i == last_ && at(i - 2, 2, {"AI", "OI"})) {
      add("", "S");  // French "Resnais", "Artois"
    } else {
      add("S");
    }
    return at(i + 1, 1, {"S", "Z"}) ? i + 2 : i + 1;
  }

  int handleSC(int i) {
    if (charAt(i + 2) == 'H') {  // Schlesinger's rule
      if (at(i + 3, 2, {"OO", "ER", "EN", "UY", "ED", "EM"})) {  // Dutch: "school", "schooner"
        if (at(i + 3, 2, {"ER", "EN"})) {
          add("X", "SK");  // "Schermerhorn", "Schenker"
        } else {
          add("SK");
        }
      } else if (i == 0 && !isVowel(charAt(3)) && charAt(3) != 'W') {
        add("X", "S");
      } else {
        add("X");
      }
    } else if (at(i + 2, 1, {"I", "E", "Y"})) {
      add("S");
    } else {
      add("SK");
    }
    return i + 3;
  }

  int handleT(int i) {
    if (at(i, 4, {"TION"}) || at(i, 3, {"TIA", "TCH"})) {
      add("X");
      return i + 3;
    }
    if (at(i, 2, {"TH"}) || at(i, 3, {"TTH"})) {
      if (at(i + 2, 2, {"OM", "AM"}) || at(0, 4, {"VAN ", "VON "}) || at(0, 3, {"SCH"})) {
        add("T");  // "Thomas", "Thames", Germanic
      } else {
        add("0", "T");
      }
      return i + 2;
    }
    add("T");
    return at(i + 1, 1, {"T", "D"}) ? i + 2 : i + 1;
  }

  int handleW(int i) {
    if (at(i, 2, {"WR"})) {
      add("R");
      return i + 2;
    }
    if (i == 0 && (isVowel(charAt(i + 1)) || at(i, 2, {"WH"}))) {
      if (isVowel(charAt(i + 1))) {
        add("A", "F");  // "Wasserman" against "Vasserman"
      } else {
        add("A");  // "Uomo" against "Womo"
      }
      return i + 1;
    }
    if ((i == last_ && isVowel(charAt(i - 1))) || at(i - 1, 5, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) ||
        at(0, 3, {"SCH"})) {
      add("", "F");  // "Arnow" against "Arnoff"
      return i + 1;
    }
    if (at(i, 4, {"WICZ", "WITZ"})) {  // Polish "Filipowicz"
      add("TS", "FX");
      return i + 4;
    }
    return i + 1;
  }

  int handleX(int i) {
    if (i == 0) {  // "Xavier"
      add("S");
      return i + 1;
    }
    if (!(i == last_ && (at(i - 3, 3, {"IAU", "EAU"}) || at(i - 2, 2, {"AU", "OU"})))) {
      add("KS");  // but not French "Breaux"
    }
    return at(i + 1, 1, {"C", "X"}) ? i + 2 : i + 1;
  }

  int handleZ(int i) {
    if (charAt(i + 1) == 'H') {  // Chinese pinyin "Zhao", "Zhang"
      add("J");
      return i + 2;
    }
    if (at(i + 1, 2, {"ZO", "ZI", "ZA"}) || (slavoGermanic_ && i > 0 && charAt(i - 1) != 'T')) {
      add("S", "TS");
    } else {
      add("S");
    }
    return charAt(i + 1) == 'Z' ? i + 2 : i + 1;
  }

  std::string value_;
  int length_ = 0;
  int last_ = -1;
  bool slavoGermanic_ = false;
  std::size_t maxLength_;
  std::string primary_;
  std::string alternate_;
};

}  // namespace

DoubleMetaphoneCode doubleMetaphone(std::string_view word, std::size_t maxLength) {
  if (word.empty() || maxLength == 0) return {};
  return Encoder(word, maxLength).run();
}

}  // namespace crmsync::normalize
