#include "parties.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <algorithm>

namespace crmsync::phone {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool NumberPattern::parse(std::string_view text, NumberPattern& out, std::string* problem) {
  out.text_ = std::string(text);
  out.elements_.clear();
  if (text.empty() || text[0] != '_') {
    for (char c : text) {
      Element e;
      e.literal = c;
      out.elements_.push_back(e);
    }
    return true;
  }
  auto range = [](Element& e, char from, char to) {
    for (int c = from; c <= to; ++c) e.set[static_cast<unsigned char>(c)] = true;
  };
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    Element e;
    switch (c) {
      case 'X': case 'x': e.kind = Element::Set; range(e, '0', '9'); break;
      case 'Z': case 'z': e.kind = Element::Set; range(e, '1', '9'); break;
      case 'N': case 'n': e.kind = Element::Set; range(e, '2', '9'); break;
      case '.': e.kind = Element::OneOrMore; break;
      case '!': e.kind = Element::ZeroOrMore; break;
      case '[': {
        size_t close = text.find(']', i);
        if (close == std::string_view::npos) {
          if (problem) *problem = "pattern '" + std::string(text) + "' has a '[' without ']'";
          return false;
        }
        e.kind = Element::Set;
        for (size_t j = i + 1; j < close; ++j) {
          if (j + 2 < close && text[j + 1] == '-') {
            range(e, text[j], text[j + 2]);
            j += 2;
          } else {
            e.set[static_cast<unsigned char>(text[j])] = true;
          }
        }
        i = close;
        break;
      }
      default: e.literal = c; break;
    }
    out.elements_.push_back(e);
  }
  return true;
}

bool NumberPattern::matchFrom(size_t element, std::string_view rest) const {
  if (element == elements_.size()) return rest.empty();
  const Element& e = elements_[element];
  switch (e.kind) {
    case Element::Literal:
      return !rest.empty() && rest[0] == e.literal && matchFrom(element + 1, rest.substr(1));
    case Element::Set:
      return !rest.empty() && e.set[static_cast<unsigned char>(rest[0])] && matchFrom(element + 1, rest.substr(1));
    case Element::OneOrMore:
    case Element::ZeroOrMore:
      for (size_t n = e.kind == Element::OneOrMore ? 1 : 0; n <= rest.size(); ++n) {
        if (matchFrom(element + 1, rest.substr(n))) return true;
      }
      return false;
  }
  return false;
}

bool NumberPattern::matches(std::string_view number) const { return matchFrom(0, number); }

InternalParties::InternalParties(const std::vector<std::string>& patterns, const std::vector<std::string>& contexts)
    : contexts_(contexts) {
  for (const auto& p : patterns) {
    NumberPattern np;
    std::string problem;
    if (!NumberPattern::parse(p, np, &problem)) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'internal': " + problem);
    patterns_.push_back(std::move(np));
  }
}

bool InternalParties::isInternalNumber(std::string_view number) const {
  number = trim(number);
  if (number.empty()) return false;
  return std::any_of(patterns_.begin(), patterns_.end(), [&](const NumberPattern& p) { return p.matches(number); });
}

bool InternalParties::isInternalContext(std::string_view context) const {
  return std::find(contexts_.begin(), contexts_.end(), context) != contexts_.end();
}

bool looksLikePhoneNumber(std::string_view text) {
  text = trim(text);
  size_t digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '+') {
      if (digits != 0) return false;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return false;
    }
  }
  return digits >= 3;
}

std::string clidName(std::string_view clid, std::string* number) {
  size_t lt = clid.rfind('<');
  std::string_view name = clid;
  if (lt != std::string_view::npos) {
    size_t gt = clid.find('>', lt);
    if (number) *number = std::string(trim(clid.substr(lt + 1, gt == std::string_view::npos ? gt : gt - lt - 1)));
    name = clid.substr(0, lt);
  } else if (number) {
    number->clear();
  }
  name = trim(name);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = trim(name.substr(1, name.size() - 2));
  return std::string(name);
}

bool isCallerName(std::string_view name) {
  name = trim(name);
  return !name.empty() && !looksLikePhoneNumber(name);
}

}  // namespace crmsync::phone
