#include "normalize/unicode_util.hpp"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace crmsync::normalize::detail {

std::u32string toUtf32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  int32_t i = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c >= 0) out += static_cast<char32_t>(c);
  }
  return out;
}

void appendUtf8(std::string& out, char32_t c) {
  uint8_t buf[4];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, 4, static_cast<UChar32>(c), error);
  if (!error) out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
}

std::string toUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) appendUtf8(out, c);
  return out;
}

std::string foldCase(std::string_view utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) ascii = ascii && c < 0x80;
  if (ascii) {
    std::string out(utf8);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  icu::CaseMap::utf8Fold(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(utf8);
  return out;
}

std::string stripAccents(std::string_view utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) ascii = ascii && c < 0x80;
  if (ascii) return std::string(utf8);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  std::string decomposed;
  icu::StringByteSink<std::string> sink(&decomposed, static_cast<int32_t>(utf8.size()));
  nfd->normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(utf8);
  std::string stripped;
  for (char32_t c : toUtf32(decomposed)) {
    // Only the general combining diacritics: marks in other blocks (kana voicing marks...) make another letter.
    if (c >= 0x0300 && c <= 0x036F) continue;
    switch (c) {
      case U'ø': stripped += 'o'; break;
      case U'Ø': stripped += 'O'; break;
      case U'ł': stripped += 'l'; break;
      case U'Ł': stripped += 'L'; break;
      case U'đ': stripped += 'd'; break;
      case U'Đ': stripped += 'D'; break;
      case U'æ': stripped += "ae"; break;
      case U'Æ': stripped += "AE"; break;
      case U'œ': stripped += "oe"; break;
      case U'Œ': stripped += "OE"; break;
      case U'ß': stripped += "ss"; break;
      case U'þ': stripped += "th"; break;
      case U'Þ': stripped += "TH"; break;
      default: appendUtf8(stripped, c);
    }
  }
  std::string out;
  icu::StringByteSink<std::string> sink2(&out, static_cast<int32_t>(stripped.size()));
  nfc->normalizeUTF8(0, icu::StringPiece(stripped.data(), static_cast<int32_t>(stripped.size())), sink2, nullptr,
                     status);
  if (U_FAILURE(status)) return stripped;
  return out;
}

bool isLetter(char32_t c) { return u_isalpha(static_cast<UChar32>(c)); }

bool isDigit(char32_t c) { return u_isdigit(static_cast<UChar32>(c)); }

bool isCjk(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
  return U_SUCCESS(status) && (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA ||
                               script == USCRIPT_KATAKANA || script == USCRIPT_HANGUL);
}

bool isLatinLetter(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(c), &status) == USCRIPT_LATIN && U_SUCCESS(status) &&
         u_isalpha(static_cast<UChar32>(c));
}

}  // namespace crmsync::normalize::detail
