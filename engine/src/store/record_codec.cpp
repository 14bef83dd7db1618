#include "store/record_codec.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace crmsync::store {
namespace {

void appendLength(std::string& buf, size_t n) {
  auto v = static_cast<uint32_t>(n);
  char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff), static_cast<char>((v >> 16) & 0xff),
                   static_cast<char>((v >> 24) & 0xff)};
  buf.append(bytes, 4);
}

void appendString(std::string& buf, std::string_view s) {
  appendLength(buf, s.size());
  buf.append(s);
}

}  // namespace

int customerColumnIndex(std::string_view fieldName) {
  for (size_t i = 0; i < kCustomerFieldColumns.size(); ++i) {
    if (kCustomerFieldColumns[i] == fieldName) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// The fields in name order (insertion sort: records have tens of fields, usually already in a stable order),
// without allocating once the thread's scratch vector has grown.
const std::vector<const Field*>& sortedFields(const Record& record) {
  thread_local std::vector<const Field*> sorted;
  sorted.clear();
  for (const auto& f : record.fields) {
    sorted.push_back(&f);
    for (size_t i = sorted.size() - 1; i > 0 && sorted[i]->name < sorted[i - 1]->name; --i) {
      std::swap(sorted[i], sorted[i - 1]);
    }
  }
  return sorted;
}

// True when s can go into JSON between quotes as it is: valid UTF-8 (as nlohmann::json checks it: no
// overlongs, no surrogates, nothing above U+10FFFF) and nothing that needs escaping.
bool jsonVerbatim(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      if (c < 0x20 || c == '"' || c == '\\') return false;
      ++p;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < len) return false;
    for (size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    p += len;
  }
  return true;
}

void appendJsonString(std::string& out, std::string_view s) {
  if (jsonVerbatim(s)) {
    out += '"';
    out.append(s);
    out += '"';
    return;
  }
  // Escaping and repairing invalid UTF-8 are nlohmann::json's job.
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string recordHash(const Record& record) {
  // Length-prefixed so no two different records serialize alike; sorted by name so the order a connector
  // emits fields in does not count as a change.
  thread_local std::string buf;
  buf.clear();
  const auto& sorted = sortedFields(record);
  appendString(buf, record.entity);
  appendLength(buf, sorted.size());
  for (const Field* f : sorted) {
    appendString(buf, f->name);
    if (f->value) {
      buf.push_back('\1');
      appendString(buf, *f->value);
    } else {
      buf.push_back('\0');
    }
  }
  XXH64_hash_t h = XXH3_64bits(buf.data(), buf.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[h & 0xf];
    h >>= 4;
  }
  return out;
}

// What nlohmann::json::object() with one member per field would dump (keys in order, the last of duplicate
// names wins), written without building the object: this runs for every record a run loads.
std::string payloadJson(const Record& record) {
  const auto& sorted = sortedFields(record);
  std::string out;
  out.reserve(64 + record.fields.size() * 32);
  out += '{';
  bool first = true;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->name == sorted[i]->name) continue;
    const Field* f = sorted[i];
    if (!first) out += ',';
    first = false;
    appendJsonString(out, f->name);
    out += ':';
    if (f->value) {
      appendJsonString(out, *f->value);
    } else {
      out += "null";
    }
  }
  out += '}';
  return out;
}

std::string qualityFlagsJson(const Record& record) {
  if (record.qualityFlags.empty()) return "[]";
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& flag : record.qualityFlags) arr.push_back(flag);
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace crmsync::store
