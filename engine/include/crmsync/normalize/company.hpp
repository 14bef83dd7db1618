// Company names: a display value (NFKC, white space cleaned, legal form kept) and a match key (case-folded,
// punctuation and legal forms removed, "(上海)" style qualifiers dropped), so "ACME Inc." and "Acme, Inc"
// or "阿里巴巴（中国）有限公司" and "阿里巴巴有限公司" meet.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize {

struct CompanyOptions {
  /// Also drop 集团 / Group / Holdings from the key: "海尔集团" and "海尔" become one. Off by default because
  /// a group and its operating company are often different customers.
  bool dropGroup = false;
};

struct CompanyResult {
  std::string raw;      // the input as given
  std::string display;  // NFKC and trimmed, legal form kept: "ACME Inc.", "阿里巴巴(中国)有限公司"
  std::string key;      // "acme", "阿里巴巴"
  bool valid = false;
  std::string reason;
};

/// Stateless and thread-safe.
CompanyResult normalizeCompany(std::string_view raw, const CompanyOptions& options = {});

}  // namespace crmsync::normalize
