#include "store/record_codec.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "store/json_text.hpp"

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
  // Each field is hashed on its own, length-prefixed so text cannot move between name and value, and the
  // field hashes are summed: the order a connector emits fields in does not count as a change, and no sort is
  // needed. Entity, field count and the sum are then hashed together.
  thread_local std::string buf;
  uint64_t sum = 0;
  for (const auto& f : record.fields) {
    buf.clear();
    appendString(buf, f.name);
    if (f.value) {
      buf.push_back('\1');
      appendString(buf, *f.value);
    } else {
      buf.push_back('\0');
    }
    sum += XXH3_64bits(buf.data(), buf.size());
  }
  buf.clear();
  appendString(buf, record.entity);
  appendLength(buf, record.fields.size());
  for (int i = 0; i < 8; ++i) buf.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  XXH64_hash_t h = XXH3_64bits(buf.data(), buf.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[h & 0xf];
    h >>= 4;
  }
  return out;
}

// Written directly rather than through a nlohmann::json object (which would allocate a map node and two
// strings per field): this runs for every record a run loads. Fields keep the record's order; of repeated
// names the last wins, as when parsing.
std::string payloadJson(const Record& record) {
  const auto& fields = record.fields;
  std::string out;
  out.reserve(64 + fields.size() * 32);
  out += '{';
  bool first = true;
  for (size_t i = 0; i < fields.size(); ++i) {
    bool repeated = false;
    for (size_t j = i + 1; j < fields.size() && !repeated; ++j) repeated = fields[j].name == fields[i].name;
    if (repeated) continue;
    if (!first) out += ',';
    first = false;
    appendJsonString(out, fields[i].name);
    out += ':';
    if (fields[i].value) {
      appendJsonString(out, *fields[i].value);
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
