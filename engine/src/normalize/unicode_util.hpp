// Code-point helpers the normalizers share. Inputs are valid UTF-8 (callers check with isValidUtf8 first).
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize::detail {

std::u32string toUtf32(std::string_view utf8);
std::string toUtf8(std::u32string_view text);
void appendUtf8(std::string& out, char32_t c);

/// Unicode full case folding (ICU): "Straße" and "STRASSE" fold alike.
std::string foldCase(std::string_view utf8);

/// Removes combining marks after canonical decomposition ("José" -> "Jose") and maps the Latin letters that
/// have no decomposition (ø, ł, đ, æ, œ, ß, þ) to ASCII, for keys that should not depend on accents.
std::string stripAccents(std::string_view utf8);

bool isLetter(char32_t c);
bool isDigit(char32_t c);
/// Han, Hiragana, Katakana or Hangul: scripts whose names are written without spaces.
bool isCjk(char32_t c);
bool isLatinLetter(char32_t c);

}  // namespace crmsync::normalize::detail
