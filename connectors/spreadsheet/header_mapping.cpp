#include "header_mapping.hpp"

#include <set>
#include <unordered_map>
#include <utility>

namespace crmsync::spreadsheet {
namespace {

struct Synonyms {
  const char* field;
  std::initializer_list<const char*> headers;
};

// What real exports call the canonical customer fields (docs/design.md "Canonical records"): Excel and
// WPS templates, Outlook, Google Contacts, HubSpot and Salesforce CSV exports, Chinese CRM and ERP exports.
const Synonyms kSynonyms[] = {
    {"name",
     {"姓名", "名字", "联系人", "联系人姓名", "客户姓名", "Name", "Full Name", "Contact Name", "Contact",
      "Display Name"}},
    {"given_name", {"名", "First Name", "Given Name", "Forename"}},
    {"family_name", {"姓", "姓氏", "Last Name", "Surname", "Family Name"}},
    {"company",
     {"公司", "公司名称", "单位", "工作单位", "企业", "企业名称", "Company", "Company Name", "Organization",
      "Organisation", "Account Name"}},
    {"title", {"职位", "职务", "岗位", "头衔", "Title", "Job Title", "Position"}},
    {"email",
     {"邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址", "Email", "E-mail", "Email Address", "Mail",
      "E-mail Address"}},
    {"phone",
     {"电话", "电话号码", "联系电话", "座机", "固定电话", "办公电话", "Phone", "Phone Number", "Tel", "Telephone",
      "Work Phone", "Business Phone", "Office Phone"}},
    {"mobile",
     {"手机", "手机号", "手机号码", "移动电话", "Mobile", "Mobile Phone", "Mobile Number", "Cell", "Cell Phone"}},
    {"address", {"地址", "联系地址", "详细地址", "通讯地址", "Address", "Street", "Street Address", "Address Line 1"}},
    {"city", {"城市", "市", "City", "Town"}},
    {"region", {"省份", "省", "地区", "省/自治区", "State", "Region", "Province", "State/Province", "County"}},
    {"country", {"国家", "国家/地区", "Country", "Country/Region", "Nation"}},
    {"postcode", {"邮编", "邮政编码", "Postcode", "Post Code", "Postal Code", "ZIP", "Zip Code"}},
    {"birth_date", {"生日", "出生日期", "Birthday", "Birth Date", "Date of Birth", "DOB"}},
    {"id",
     {"客户编号", "客户ID", "客户代码", "编号", "Customer ID", "Customer No", "Customer Number", "Customer Code", "ID",
      "Contact ID", "Account ID"}},
    {"tags", {"标签", "Tags", "Labels"}},
};

const std::unordered_map<std::string, std::string>& synonymTable() {
  static const auto table = [] {
    std::unordered_map<std::string, std::string> t;
    for (const auto& s : kSynonyms) {
      for (const char* h : s.headers) t.emplace(headerKey(h), s.field);
    }
    return t;
  }();
  return table;
}

// Lengths of the space-like characters a header may be padded with, at the start of `s` (0: none).
size_t leadingSpace(std::string_view s) {
  if (s.empty()) return 0;
  char c = s[0];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (s.substr(0, 2) == "\xC2\xA0") return 2;      // no-break space
  if (s.substr(0, 3) == "\xE3\x80\x80") return 3;  // ideographic (full-width) space
  if (s.substr(0, 3) == "\xEF\xBB\xBF") return 3;  // a BOM that survived as text
  return 0;
}

size_t trailingSpace(std::string_view s) {
  if (s.empty()) return 0;
  char c = s.back();
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") return 2;
  if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE3\x80\x80") return 3;
  return 0;
}

}  // namespace

std::string trimHeader(std::string_view header) {
  for (size_t n; (n = leadingSpace(header)) != 0;) header.remove_prefix(n);
  for (size_t n; (n = trailingSpace(header)) != 0;) header.remove_suffix(n);
  return std::string(header);
}

std::string headerKey(std::string_view header) {
  std::string trimmed = trimHeader(header);
  std::string_view t = trimmed;
  if (!t.empty() && t.back() == ':') t.remove_suffix(1);
  if (t.size() >= 3 && t.substr(t.size() - 3) == "\xEF\xBC\x9A") t.remove_suffix(3);  // full-width colon
  std::string key;
  key.reserve(t.size());
  for (char c : t) {
    if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '/' || c == '\t') continue;
    key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return key;
}

std::optional<std::string> synonymFor(std::string_view header) {
  const auto& table = synonymTable();
  auto it = table.find(headerKey(header));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

HeaderMapping::HeaderMapping(const std::vector<std::string>& headers, const std::map<std::string, std::string>& columns,
                             std::vector<std::string>* notes) {
  std::unordered_map<std::string, const std::string*> configured;  // headerKey -> target field
  for (const auto& [header, field] : columns) configured.emplace(headerKey(header), &field);
  std::set<std::string> usedConfigKeys;
  std::set<std::string> taken;
  auto note = [&](std::string text) {
    if (notes) notes->push_back(std::move(text));
  };

  for (size_t i = 0; i < headers.size(); ++i) {
    MappedColumn col;
    col.header = trimHeader(headers[i]);
    std::string key = headerKey(col.header);
    auto exact = columns.find(col.header);
    auto loose = configured.find(key);
    if (exact != columns.end()) {
      col.field = exact->second;
      col.canonical = true;
      usedConfigKeys.insert(headerKey(exact->first));
    } else if (loose != configured.end() && !key.empty()) {
      col.field = *loose->second;
      col.canonical = true;
      usedConfigKeys.insert(key);
    } else if (auto synonym = synonymFor(col.header)) {
      col.field = *synonym;
      col.canonical = true;
    } else if (col.header.empty()) {
      col.field = "column_" + std::to_string(i + 1);
    } else {
      col.field = col.header;
    }
    if (!col.field.empty() && taken.count(col.field)) {
      // Two headers for one field (say "Phone" and "Tel"): the first wins, the second keeps its own name so
      // no value is lost.
      std::string fallback =
          taken.count(col.header) || col.header.empty() ? col.field + "_" + std::to_string(i + 1) : col.header;
      note("column " + std::to_string(i + 1) + " ('" + col.header + "') also maps to '" + col.field +
           "'; kept as field '" + fallback + "'");
      col.field = fallback;
      col.canonical = false;
    }
    if (!col.field.empty()) taken.insert(col.field);
    columns_.push_back(std::move(col));
  }
  for (const auto& [header, field] : columns) {
    if (!usedConfigKeys.count(headerKey(header))) {
      note("`columns` maps '" + header + "' but no header of this file matches it");
    }
  }
}

std::optional<size_t> HeaderMapping::find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].field == name) return i;
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].header == name) return i;
  }
  std::string key = headerKey(name);
  if (key.empty()) return std::nullopt;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (headerKey(columns_[i].header) == key || headerKey(columns_[i].field) == key) return i;
  }
  return std::nullopt;
}

std::string HeaderMapping::describeHeaders() const {
  std::string out;
  for (const auto& c : columns_) {
    if (!out.empty()) out += ", ";
    out += "'" + c.header + "'";
  }
  return out;
}

}  // namespace crmsync::spreadsheet
