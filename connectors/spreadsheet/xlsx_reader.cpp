#include "xlsx_reader.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <pugixml.hpp>

#include <charconv>
#include <cstring>
#include <map>

namespace crmsync::spreadsheet {
namespace {

// Excel's grid is 16384 columns wide (XFD); a reference beyond that is a corrupt file.
constexpr size_t kMaxColumns = 16384;
// Keep whitespace-only text such as <t xml:space="preserve"> </t>: it is cell content.
constexpr unsigned kParseFlags = pugi::parse_default | pugi::parse_ws_pcdata_single;

// Element and attribute names may carry a namespace prefix (<x:row> from some .NET writers): compare local names.
const char* localName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

bool isNamed(const pugi::xml_node& node, const char* local) {
  return node.type() == pugi::node_element && std::strcmp(localName(node.name()), local) == 0;
}

pugi::xml_node child(const pugi::xml_node& parent, const char* local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (isNamed(c, local)) return c;
  }
  return {};
}

pugi::xml_attribute attr(const pugi::xml_node& node, const char* local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (std::strcmp(localName(a.name()), local) == 0) return a;
  }
  return {};
}

// The relationship id of a <sheet>: r:id, whatever prefix the relationships namespace got.
pugi::xml_attribute relationshipId(const pugi::xml_node& node) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    const char* colon = std::strrchr(a.name(), ':');
    if (colon && std::strcmp(colon + 1, "id") == 0) return a;
  }
  return {};
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Resolves a relationship target against the folder of the part that owns the relationships.
std::string resolvePart(const std::string& baseFolder, std::string_view target) {
  std::string joined =
      !target.empty() && target[0] == '/' ? std::string(target.substr(1)) : baseFolder + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string piece = joined.substr(start, slash - start);
    if (piece == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!piece.empty() && piece != ".") {
      parts.push_back(piece);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string folderOf(const std::string& part) {
  size_t slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash + 1);
}

struct Relationship {
  std::string type;
  std::string target;  // resolved part name
};

class XmlPart {
 public:
  XmlPart(ZipArchive& zip, const std::string& part, bool required) {
    auto content = zip.read(part);
    if (!content) {
      if (required)
        throw sdk::Error(CRMSYNC_ERR_DATA, zip.path() + ": part " + part + " is missing; not a valid .xlsx");
      return;
    }
    buffer_ = std::move(*content);
    pugi::xml_parse_result r = doc_.load_buffer_inplace(buffer_.data(), buffer_.size(), kParseFlags);
    if (!r) {
      throw sdk::Error(CRMSYNC_ERR_DATA, zip.path() + ": " + part + " is not well-formed XML at byte " +
                                             std::to_string(r.offset) + ": " + r.description());
    }
    present_ = true;
  }
  bool present() const { return present_; }
  pugi::xml_node root() const { return doc_.document_element(); }

 private:
  std::string buffer_;  // pugixml parses in place: the buffer must live as long as the document
  pugi::xml_document doc_;
  bool present_ = false;
};

// Relationships of `part` (stored in folder/_rels/name.rels), keyed by Id.
std::map<std::string, Relationship> readRelationships(ZipArchive& zip, const std::string& part) {
  std::string folder = folderOf(part);
  std::string relsPart = folder + "_rels/" + part.substr(folder.size()) + ".rels";
  std::map<std::string, Relationship> rels;
  XmlPart xml(zip, relsPart, false);
  if (!xml.present()) return rels;
  for (pugi::xml_node r = xml.root().first_child(); r; r = r.next_sibling()) {
    if (!isNamed(r, "Relationship")) continue;
    if (std::strcmp(r.attribute("TargetMode").as_string("Internal"), "External") == 0) continue;
    rels[r.attribute("Id").as_string()] = {r.attribute("Type").as_string(),
                                           resolvePart(folder, r.attribute("Target").as_string())};
  }
  return rels;
}

std::optional<std::string> partOfType(const std::map<std::string, Relationship>& rels, std::string_view typeSuffix) {
  for (const auto& [id, rel] : rels) {
    if (endsWith(rel.type, typeSuffix)) return rel.target;
  }
  return std::nullopt;
}

// Text of a string item (<si> or <is>): plain <t>, or the <t> of each rich-text run <r>. Phonetic runs <rPh>
// (furigana above Japanese text) are reading aids, not content.
void appendStringItem(const pugi::xml_node& item, std::string& out) {
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    if (isNamed(c, "t")) {
      out += c.text().get();
    } else if (isNamed(c, "r")) {
      for (pugi::xml_node t = c.first_child(); t; t = t.next_sibling()) {
        if (isNamed(t, "t")) out += t.text().get();
      }
    }
  }
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<size_t> parseIndex(const char* text) {
  size_t value = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || ptr == text) return std::nullopt;
  return value;
}

// A `d` cell holds ISO 8601 already ("2024-03-05T00:00:00Z"); trim it to the shapes the connector emits.
std::string normalizeIsoCell(std::string_view v, DateKind kind) {
  if (v.size() >= 10 && v[4] == '-' && kind == DateKind::Date) return std::string(v.substr(0, 10));
  if (v.size() >= 19 && v[10] == 'T') return std::string(v.substr(0, 19));
  if (!v.empty() && v.back() == 'Z') v.remove_suffix(1);
  return std::string(v);
}

}  // namespace

std::string columnName(size_t index) {
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

std::optional<size_t> columnOfCellRef(std::string_view ref) {
  size_t col = 0;
  size_t letters = 0;
  for (char c : ref) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<size_t>(c - 'A' + 1);
    if (++letters > 3) return std::nullopt;
  }
  if (letters == 0) return std::nullopt;
  return col - 1;
}

std::string decodeXstring(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      int h0 = hex(text[i + 2]), h1 = hex(text[i + 3]), h2 = hex(text[i + 4]), h3 = hex(text[i + 5]);
      if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
        appendUtf8(out, static_cast<uint32_t>((h0 << 12) | (h1 << 8) | (h2 << 4) | h3));
        i += 6;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

XlsxWorkbook::XlsxWorkbook(const std::string& path) : path_(path), zip_(path) { readWorkbook(); }

void XlsxWorkbook::readWorkbook() {
  auto packageRels = readRelationships(zip_, "");
  std::string workbookPart = partOfType(packageRels, "/officeDocument").value_or("xl/workbook.xml");
  XmlPart workbook(zip_, workbookPart, true);
  if (pugi::xml_node pr = child(workbook.root(), "workbookPr")) {
    std::string v = lowerAscii(attr(pr, "date1904").as_string());
    date1904_ = v == "1" || v == "true";
  }
  auto rels = readRelationships(zip_, workbookPart);
  for (pugi::xml_node s = child(child(workbook.root(), "sheets"), "sheet"); s; s = s.next_sibling()) {
    if (!isNamed(s, "sheet")) continue;
    std::string name = attr(s, "name").as_string();
    auto rel = rels.find(relationshipId(s).as_string());
    if (rel == rels.end()) {
      throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": sheet '" + name + "' has no relationship in " +
                                             folderOf(workbookPart) + "_rels; the workbook is damaged");
    }
    // Chart sheets and dialog sheets hold no cells.
    if (!endsWith(rel->second.type, "/worksheet")) continue;
    sheets_.push_back({name, rel->second.target});
  }
  if (sheets_.empty()) throw sdk::Error(CRMSYNC_ERR_DATA, path_ + ": the workbook has no worksheets");
  readSharedStrings(partOfType(rels, "/sharedStrings").value_or(folderOf(workbookPart) + "sharedStrings.xml"));
  readStyles(partOfType(rels, "/styles").value_or(folderOf(workbookPart) + "styles.xml"));
}

void XlsxWorkbook::readSharedStrings(const std::string& part) {
  XmlPart xml(zip_, part, false);
  if (!xml.present()) return;
  std::string text;
  for (pugi::xml_node si = xml.root().first_child(); si; si = si.next_sibling()) {
    if (!isNamed(si, "si")) continue;
    text.clear();
    appendStringItem(si, text);
    sharedStrings_.push_back(decodeXstring(text));
  }
}

void XlsxWorkbook::readStyles(const std::string& part) {
  XmlPart xml(zip_, part, false);
  if (!xml.present()) return;
  std::map<int, DateKind> customFormats;
  for (pugi::xml_node f = child(child(xml.root(), "numFmts"), "numFmt"); f; f = f.next_sibling()) {
    if (isNamed(f, "numFmt"))
      customFormats[attr(f, "numFmtId").as_int(-1)] = classifyFormatCode(attr(f, "formatCode").as_string());
  }
  for (pugi::xml_node xf = child(child(xml.root(), "cellXfs"), "xf"); xf; xf = xf.next_sibling()) {
    if (!isNamed(xf, "xf")) continue;
    int id = attr(xf, "numFmtId").as_int(0);
    auto custom = customFormats.find(id);
    styleDateKinds_.push_back(custom != customFormats.end() ? custom->second : classifyBuiltinFormat(id));
  }
}

const XlsxSheetInfo& XlsxWorkbook::sheet(std::string_view name) const {
  for (const auto& s : sheets_) {
    if (s.name == name) return s;
  }
  for (const auto& s : sheets_) {
    if (lowerAscii(s.name) == lowerAscii(name)) return s;
  }
  std::string names;
  for (const auto& s : sheets_) names += (names.empty() ? "'" : ", '") + s.name + "'";
  throw sdk::Error(CRMSYNC_ERR_CONFIG, path_ + ": no sheet named '" + std::string(name) + "'; the sheets are " + names +
                                           " (fix `sheet` in the pipeline)");
}

void XlsxWorkbook::readRows(const XlsxSheetInfo& info, const std::function<void(const XlsxRow&)>& onRow) {
  XmlPart xml(zip_, info.part, true);
  pugi::xml_node sheetData = child(xml.root(), "sheetData");
  XlsxRow row;
  size_t rowNumber = 0;
  for (pugi::xml_node r = sheetData.first_child(); r; r = r.next_sibling()) {
    if (!isNamed(r, "row")) continue;
    // SAP and SSRS exports leave out r: then rows and cells are numbered by position.
    auto declared = parseIndex(attr(r, "r").as_string(""));
    rowNumber = declared.value_or(rowNumber + 1);
    row.number = rowNumber;
    row.cells.clear();
    size_t column = static_cast<size_t>(-1);
    for (pugi::xml_node c = r.first_child(); c; c = c.next_sibling()) {
      if (!isNamed(c, "c")) continue;
      pugi::xml_attribute ref = attr(c, "r");
      auto refColumn = ref ? columnOfCellRef(ref.as_string()) : std::nullopt;
      column = refColumn.value_or(column + 1);
      if (column >= kMaxColumns) {
        throw sdk::Error(CRMSYNC_ERR_DATA, path_ + "!" + info.name + ": cell in row " + std::to_string(rowNumber) +
                                               " lies beyond column XFD; the sheet is damaged");
      }
      if (row.cells.size() <= column) row.cells.resize(column + 1);
      std::string& out = row.cells[column];
      const std::string_view type = attr(c, "t").as_string("n");
      const char* v = child(c, "v").text().get();
      if (type == "s") {
        if (*v == '\0') continue;
        auto index = parseIndex(v);
        if (!index || *index >= sharedStrings_.size()) {
          throw sdk::Error(CRMSYNC_ERR_DATA, path_ + "!" + info.name + ":" + std::to_string(rowNumber) + ": cell " +
                                                 columnName(column) + std::to_string(rowNumber) +
                                                 " refers to shared string '" + v + "' but the workbook has " +
                                                 std::to_string(sharedStrings_.size()) + "; the file is damaged");
        }
        out = sharedStrings_[*index];
      } else if (type == "inlineStr") {
        appendStringItem(child(c, "is"), out);
        out = decodeXstring(out);
      } else if (type == "str") {
        out = decodeXstring(v);
      } else if (type == "b") {
        out = *v == '\0' ? "" : (std::strcmp(v, "0") == 0 ? "FALSE" : "TRUE");
      } else if (type == "e") {
        // #N/A, #REF!...: a formula that failed is not a value; leave the cell empty.
      } else {
        const size_t style = attr(c, "s").as_uint(0);
        const DateKind kind = style < styleDateKinds_.size() ? styleDateKinds_[style] : DateKind::None;
        if (type == "d") {
          out = normalizeIsoCell(v, kind);
        } else if (*v != '\0') {
          std::optional<std::string> date;
          if (kind != DateKind::None) {
            double serial = 0;
            const char* end = v + std::strlen(v);
            auto [ptr, ec] = std::from_chars(v, end, serial);
            if (ec == std::errc() && ptr == end) date = excelSerialToIso(serial, kind, date1904_);
          }
          out = date ? std::move(*date) : formatExcelNumber(v);
        }
      }
    }
    onRow(row);
  }
}

}  // namespace crmsync::spreadsheet
