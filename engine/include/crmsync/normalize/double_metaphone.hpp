// Double Metaphone (Lawrence Philips, 2000): two phonetic codes per word, so that names spelled differently but
// pronounced alike ("Smith", "Schmidt") share a code. Used for Latin-script names only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmsync::normalize {

/// The primary code and the alternate one; the alternate equals the primary when the word has no second reading.
struct DoubleMetaphoneCode {
  std::string primary;
  std::string alternate;
};

/// Encodes one word of ASCII letters (any case; other characters are skipped as the algorithm skips them).
/// Callers fold accents to ASCII first. maxLength is the code length of the published algorithm (4) by default.
DoubleMetaphoneCode doubleMetaphone(std::string_view word, std::size_t maxLength = 4);

}  // namespace crmsync::normalize
