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

std::string recordHash(const Record& record) {
  // Length-prefixed so no two different records serialize alike; sorted by name so the order a connector
  // emits fields in does not count as a change.
  thread_local std::string buf;
  thread_local std::vector<const Field*> sorted;
  buf.clear();
  sorted.clear();
  for (const auto& f : record.fields) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Field* a, const Field* b) { return a->name < b->name; });
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

std::string payloadJson(const Record& record) {
  nlohmann::json obj = nlohmann::json::object();
  for (const auto& f : record.fields) {
    if (f.value) {
      obj[f.name] = *f.value;
    } else {
      obj[f.name] = nullptr;
    }
  }
  return obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string qualityFlagsJson(const Record& record) {
  if (record.qualityFlags.empty()) return "[]";
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& flag : record.qualityFlags) arr.push_back(flag);
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace crmsync::store
