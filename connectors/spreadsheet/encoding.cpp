#include "encoding.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace crmsync::spreadsheet {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Length of the valid UTF-8 sequence at p[0..n), or 0 when it is not one.
size_t validSequenceLength(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  size_t len = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (p[k] & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// Counts what the converter could not map, then lets ICU substitute U+FFFD as usual.
void countingSubstitute(const void* context, UConverterToUnicodeArgs* args, const char* codeUnits, int32_t length,
                        UConverterCallbackReason reason, UErrorCode* err) {
  if (reason == UCNV_UNASSIGNED || reason == UCNV_ILLEGAL || reason == UCNV_IRREGULAR) {
    ++*static_cast<size_t*>(const_cast<void*>(context));
  }
  UCNV_TO_U_CALLBACK_SUBSTITUTE(nullptr, args, codeUnits, length, reason, err);
}

}  // namespace

std::optional<TextEncoding> parseTextEncoding(std::string_view name) {
  std::string n = lowerAscii(name);
  if (n.empty() || n == "auto") return TextEncoding::Auto;
  if (n == "utf-8" || n == "utf8") return TextEncoding::Utf8;
  if (n == "gb18030" || n == "gbk" || n == "gb2312" || n == "cp936") return TextEncoding::Gb18030;
  return std::nullopt;
}

Utf8Scan scanUtf8(std::string_view bytes) {
  Utf8Scan scan;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Most CSV bytes are ASCII: test eight at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, sizeof word);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = validSequenceLength(p + i, n - i);
    if (len == 0) {
      if (scan.firstInvalid == std::string_view::npos) scan.firstInvalid = i;
      ++scan.invalidSequences;
      ++i;
    } else {
      ++scan.multibyteSequences;
      i += len;
    }
  }
  return scan;
}

std::string convertToUtf8(std::string_view bytes, const char* charset, size_t* substitutions) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(charset, &err));
  if (U_FAILURE(err)) {
    throw sdk::Error(CRMSYNC_ERR_INTERNAL,
                     std::string("ICU has no converter for ") + charset + ": " + u_errorName(err));
  }
  size_t count = 0;
  ucnv_setToUCallBack(conv.get(), countingSubstitute, &count, nullptr, nullptr, &err);
  if (bytes.size() > static_cast<size_t>(INT32_MAX / 2)) {
    throw sdk::Error(CRMSYNC_ERR_DATA, "file is too large to convert from " + std::string(charset) + " (over 1 GB)");
  }
  // Two output bytes per input byte fit any double-byte Chinese text; ICU reports the exact size otherwise.
  std::string out(bytes.size() * 2 + 16, '\0');
  auto run = [&](std::string& target) {
    err = U_ZERO_ERROR;
    count = 0;
    ucnv_resetToUnicode(conv.get());
    return ucnv_toAlgorithmic(UCNV_UTF8, conv.get(), target.data(), static_cast<int32_t>(target.size()), bytes.data(),
                              static_cast<int32_t>(bytes.size()), &err);
  };
  int32_t length = run(out);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    out.assign(static_cast<size_t>(length) + 1, '\0');
    length = run(out);
  }
  if (U_FAILURE(err)) {
    throw sdk::Error(CRMSYNC_ERR_INTERNAL,
                     std::string("ICU could not convert from ") + charset + ": " + u_errorName(err));
  }
  out.resize(static_cast<size_t>(length));
  if (substitutions) *substitutions = count;
  return out;
}

std::string escapeInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size();) {
    if (p[i] < 0x80) {
      out += static_cast<char>(p[i++]);
      continue;
    }
    size_t len = validSequenceLength(p + i, bytes.size() - i);
    if (len == 0) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[p[i] >> 4];
      out += kHex[p[i] & 0x0F];
      ++i;
    } else {
      out.append(bytes.data() + i, len);
      i += len;
    }
  }
  return out;
}

DecodedText DecodedText::decode(std::string_view bytes, TextEncoding encoding) {
  DecodedText d;
  bool hasBom = bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom;
  if (encoding == TextEncoding::Gb18030) {
    // The user said so: believe it even when the file starts with what looks like a UTF-8 BOM.
    d.owned_ = convertToUtf8(bytes, "GB18030", &d.substitutions_);
    d.encodingName_ = "gb18030";
    return d;
  }
  if (encoding == TextEncoding::Auto && bytes.size() >= 2) {
    // Excel's "Unicode Text" export is UTF-16LE with a BOM; accept it rather than mis-reading it as GB18030.
    const auto b0 = static_cast<unsigned char>(bytes[0]);
    const auto b1 = static_cast<unsigned char>(bytes[1]);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
      const char* charset = b0 == 0xFF ? "UTF-16LE" : "UTF-16BE";
      d.owned_ = convertToUtf8(bytes.substr(2), charset, &d.substitutions_);
      d.encodingName_ = b0 == 0xFF ? "utf-16le" : "utf-16be";
      return d;
    }
  }
  if (hasBom) bytes.remove_prefix(kUtf8Bom.size());
  Utf8Scan scan = scanUtf8(bytes);
  bool valid = scan.firstInvalid == std::string_view::npos;
  // A file that is overwhelmingly UTF-8 with a few damaged bytes is UTF-8 with bad rows, not GB18030: decoding
  // it as GB18030 would garble every good row to save the bad ones.
  bool mostlyUtf8 = scan.multibyteSequences > 0 && scan.invalidSequences * 100 <= scan.multibyteSequences;
  if (encoding == TextEncoding::Utf8 || hasBom || valid || mostlyUtf8) {
    d.borrowed_ = bytes;
    d.encodingName_ = hasBom ? "utf-8 (BOM)" : "utf-8";
    d.rowsNeedUtf8Check_ = !valid;
    return d;
  }
  d.owned_ = convertToUtf8(bytes, "GB18030", &d.substitutions_);
  d.encodingName_ = "gb18030";
  return d;
}

}  // namespace crmsync::spreadsheet
