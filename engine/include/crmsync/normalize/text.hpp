// Text normalizers shared by stages: Unicode-aware trimming and ICU NFKC.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize {

/// Removes leading and trailing Unicode white space (including U+3000 ideographic space and U+00A0) and
/// collapses inner runs of white space to one ASCII space.
std::string trim(std::string_view text);

/// ICU NFKC: full-width letters and digits become ASCII, compatibility characters fold. Invalid UTF-8 is
/// returned unchanged (the caller flags it).
std::string nfkc(std::string_view text);

/// Unicode lower case (ICU, root locale).
std::string lower(std::string_view text);

/// True when text is well-formed UTF-8.
bool isValidUtf8(std::string_view text);

}  // namespace crmsync::normalize
