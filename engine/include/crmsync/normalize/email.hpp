// E-mail address normalization: trimmed, lower-cased, syntax-checked. Provider-specific rules (gmail dots,
// +tags) are not applied here: they change identity and belong to matching, opt-in.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize {

struct EmailResult {
  std::string value;   // normalized when valid, else the trimmed input
  bool valid = false;
  std::string reason;  // why it is invalid
};

EmailResult normalizeEmail(std::string_view raw);

}  // namespace crmsync::normalize
