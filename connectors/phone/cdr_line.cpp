#include "cdr_line.hpp"

#include <cstring>

namespace crmsync::phone {

std::optional<std::string> splitCdrLine(std::string_view line, std::vector<std::string_view>& fields,
                                        std::string& scratch) {
  fields.clear();
  scratch.clear();
  // Unescaped text is never longer than the line: reserving it keeps earlier views into scratch valid.
  scratch.reserve(line.size());
  size_t pos = 0;
  for (;;) {
    if (pos < line.size() && line[pos] == '"') {
      size_t column = pos + 1;
      ++pos;
      size_t begin = pos;
      bool copied = false;
      size_t scratchBegin = scratch.size();
      for (;;) {
        const void* hit = pos < line.size() ? std::memchr(line.data() + pos, '"', line.size() - pos) : nullptr;
        if (!hit) {
          return "unterminated quoted field starting at column " + std::to_string(column) +
                 " (field " + std::to_string(fields.size() + 1) + ")";
        }
        size_t quote = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
        if (quote + 1 < line.size() && line[quote + 1] == '"') {
          scratch.append(line.substr(pos, quote + 1 - pos));
          copied = true;
          pos = quote + 2;
          continue;
        }
        if (copied) {
          scratch.append(line.substr(pos, quote - pos));
          fields.emplace_back(scratch.data() + scratchBegin, scratch.size() - scratchBegin);
        } else {
          fields.push_back(line.substr(begin, quote - begin));
        }
        pos = quote + 1;
        break;
      }
      if (pos < line.size() && line[pos] != ',') {
        return "text after the closing quote at column " + std::to_string(pos + 1) + " (field " +
               std::to_string(fields.size()) + ")";
      }
    } else {
      size_t comma = line.find(',', pos);
      std::string_view field = line.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (field.find('"') != std::string_view::npos) {
        return "stray quote in unquoted field " + std::to_string(fields.size() + 1) + " at column " +
               std::to_string(pos + field.find('"') + 1);
      }
      fields.push_back(field);
      pos = comma == std::string_view::npos ? line.size() : comma;
    }
    if (pos >= line.size()) return std::nullopt;
    ++pos;  // the comma
    if (pos == line.size()) {
      fields.emplace_back();  // a trailing comma ends with an empty field
      return std::nullopt;
    }
  }
}

}  // namespace crmsync::phone
