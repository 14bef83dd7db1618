#include "text_summary.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <strings.h>

#include <algorithm>
#include <cstdint>

namespace crmsync::email {
namespace {

bool isBlock(const char* name) {
  static const char* const kBlocks[] = {"p",  "div", "br", "tr", "li", "h1", "h2",         "h3",  "h4",
                                        "h5", "h6",  "ul", "ol", "table", "blockquote", "pre", "hr"};
  for (const char* b : kBlocks) {
    if (!strcasecmp(name, b)) return true;
  }
  return false;
}

void collectText(xmlNode* node, std::string& out) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) out += reinterpret_cast<const char*>(n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) continue;
    const char* name = reinterpret_cast<const char*>(n->name);
    if (!strcasecmp(name, "script") || !strcasecmp(name, "style") || !strcasecmp(name, "head") ||
        !strcasecmp(name, "title")) {
      continue;
    }
    const bool block = isBlock(name);
    if (block) out += '\n';
    collectText(n->children, out);
    if (block) out += '\n';
  }
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// A line that introduces quoted or forwarded text in the clients real mail comes from.
bool isReplyHeader(std::string_view line) {
  std::string_view t = trimLeft(line);
  // Every header below starts with '-', 'O' or a CJK lead byte (发, 在): most lines are rejected here.
  if (t.empty() || (t.front() != '-' && t.front() != 'O' && static_cast<unsigned char>(t.front()) < 0xE0)) {
    return false;
  }
  while (!t.empty() && (t.back() == '\r' || t.back() == ' ')) t.remove_suffix(1);
  if (startsWith(t, "-----Original Message-----") || startsWith(t, "----- Original Message -----") ||
      startsWith(t, "-----原始邮件-----") || startsWith(t, "------------------ 原始邮件 ------------------") ||
      startsWith(t, "---------- Forwarded message") || startsWith(t, "发件人:") || startsWith(t, "发件人：")) {
    return true;
  }
  if (startsWith(t, "On ") && t.size() > 6 && t.substr(t.size() - 6) == "wrote:") return true;
  if (startsWith(t, "在 ") && (t.find("写道") != std::string_view::npos)) return true;
  return false;
}

}  // namespace

std::string htmlToText(std::string_view html) {
  if (html.empty()) return {};
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
  if (!doc) return {};
  std::string out;
  collectText(xmlDocGetRootElement(doc), out);
  xmlFreeDoc(doc);
  return out;
}

std::string_view stripQuotedAndSignature(std::string_view text, std::string& storage, size_t enough) {
  storage.clear();
  bool dropped = false;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(at, end - at);
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    if (bare == "-- " || bare == "--" || bare == "__________" || isReplyHeader(bare)) break;
    if (!trimLeft(bare).empty() && trimLeft(bare).front() == '>') {
      dropped = true;
    } else {
      storage.append(line);
    }
    at = end;
    if (storage.size() >= enough) break;
  }
  if (!dropped) {
    storage.clear();
    return text.substr(0, at);
  }
  return storage;
}

std::string collapseAndCut(std::string_view text, size_t maxChars) {
  std::string out;
  out.reserve(std::min(text.size(), maxChars * 4));
  size_t chars = 0;
  bool space = false;
  for (size_t i = 0; i < text.size() && chars < maxChars;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // U+00A0 (no-break space, C2 A0) and U+3000 (ideographic space, E3 80 80) count as white space.
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    size_t len = 1;
    if (!ws && c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
      ws = true;
      len = 2;
    } else if (!ws && c == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               static_cast<unsigned char>(text[i + 2]) == 0x80) {
      ws = true;
      len = 3;
    }
    if (ws) {
      space = true;
      i += len;
      continue;
    }
    if (space && !out.empty()) {
      out += ' ';
      ++chars;
      if (chars >= maxChars) break;
    }
    space = false;
    len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > text.size()) len = text.size() - i;
    out.append(text.substr(i, len));
    ++chars;
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string summarize(std::string_view text, size_t maxChars) {
  std::string storage;
  // Kept text beyond what maxChars code points can take, white space included, is never shown.
  const size_t enough = maxChars > (SIZE_MAX - 1024) / 16 ? SIZE_MAX : maxChars * 16 + 1024;
  return collapseAndCut(stripQuotedAndSignature(text, storage, enough), maxChars);
}

}  // namespace crmsync::email
