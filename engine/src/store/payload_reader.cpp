#include "store/payload_reader.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "store/json_text.hpp"

namespace crmsync::store {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

PayloadReader::PayloadReader(std::vector<std::string> names)
    : names_(std::move(names)), values_(names_.size()), decoded_(names_.size()) {}

size_t PayloadReader::slotOf(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return kNone;
}

void PayloadReader::read(std::string_view payload) {
  values_.assign(names_.size(), std::nullopt);
  if (readPlain(payload)) return;
  values_.assign(names_.size(), std::nullopt);
  readJson(payload);
}

// An object of plain strings and nulls, and nothing else: {"name": "value" | null, ...}. Anything this does not
// accept (escapes, numbers, nesting, malformed text) is left to nlohmann::json, which decides what it means.
bool PayloadReader::readPlain(std::string_view p) {
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < p.size() && isSpace(p[i])) ++i;
  };
  auto string = [&](std::string_view& out) {
    if (i >= p.size() || p[i] != '"') return false;
    // Without a backslash in it (jsonVerbatim), the next quote ends the string.
    const size_t end = p.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    out = p.substr(i + 1, end - i - 1);
    i = end + 1;
    return jsonVerbatim(out);
  };
  skipSpace();
  if (i >= p.size() || p[i] != '{') return false;
  ++i;
  skipSpace();
  if (i < p.size() && p[i] == '}') {
    ++i;
  } else {
    for (;;) {
      std::string_view key, text;
      if (!string(key)) return false;
      skipSpace();
      if (i >= p.size() || p[i] != ':') return false;
      ++i;
      skipSpace();
      std::optional<std::string_view> value;
      if (i < p.size() && p[i] == '"') {
        if (!string(text)) return false;
        value = text;
      } else if (p.substr(i, 4) == "null") {
        i += 4;
      } else {
        return false;
      }
      if (size_t slot = slotOf(key); slot != kNone) values_[slot] = value;
      skipSpace();
      if (i < p.size() && p[i] == ',') {
        ++i;
        skipSpace();
        continue;
      }
      if (i < p.size() && p[i] == '}') {
        ++i;
        break;
      }
      return false;
    }
  }
  skipSpace();
  return i == p.size();
}

void PayloadReader::readJson(std::string_view payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return;
  for (size_t i = 0; i < names_.size(); ++i) {
    auto it = j.find(names_[i]);
    if (it == j.end() || !it->is_string()) continue;
    decoded_[i] = it->get<std::string>();
    values_[i] = decoded_[i];
  }
}

}  // namespace crmsync::store
