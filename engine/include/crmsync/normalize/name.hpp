// Person names: NFKC, white space and punctuation cleaned, titles and honorifics removed, given and family names
// told apart (Western order, "Family, Given", "FAMILY Given", Chinese and Korean names without spaces), and keys
// for matching: a case-folded key and Double Metaphone codes for Latin-script names.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize {

struct NameResult {
  std::string raw;     // the input as given
  std::string full;    // display form: "Wei Zhang", "张伟", "John Smith Jr"; the trimmed input when invalid
  std::string given;
  std::string family;
  std::string suffix;  // generational or degree suffix: "Jr", "III", "PhD"
  /// Family name first, case-folded, accents and punctuation removed, words separated by one space; CJK names
  /// without a space ("张伟"). "Zhang, Wei", "ZHANG Wei" and "Wei Zhang" share "zhang wei".
  std::string key;
  /// Double Metaphone of each word, family name first, separated by spaces ("SM0 JN" / "XMT AN"); empty for
  /// names not written in Latin script. Pinyin is Latin script and gets codes.
  std::string phoneticPrimary;
  std::string phoneticAlternate;
  /// The name's words in Latin letters and in byte order, so that one person's name agrees whatever the script
  /// and the order a source wrote it in: 张伟, "Wei Zhang" and "Zhang Wei" all give "wei zhang" (CJK names
  /// transliterated, pinyin without tones, each part's syllables joined: 黄晓明 -> "huang xiaoming").
  std::string latin;
  bool valid = false;
  std::string reason;  // why the name is not valid
};

/// Normalizes one name. Stateless and thread-safe.
NameResult normalizeName(std::string_view raw);

}  // namespace crmsync::normalize
