// E-mail address normalization: trimmed, lower-cased, syntax-checked. Provider-specific rules (gmail dots,
// +tags) change which mailbox an address names as far as the data is concerned, so they are opt-in.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::normalize {

/// Opt-in rewrites of valid addresses; both off by default.
struct EmailOptions {
  /// Gmail ignores dots and "+tag" in the local part and treats googlemail.com as gmail.com:
  /// "First.Last+crm@googlemail.com" becomes "firstlast@gmail.com".
  bool providerRules = false;
  /// Drops a "+tag" sub-address on every domain: "ann+news@example.com" becomes "ann@example.com".
  bool stripTags = false;
};

struct EmailResult {
  std::string raw;     // the input as given
  std::string value;   // normalized when valid, else the trimmed input
  bool valid = false;
  std::string reason;  // why it is invalid
};

EmailResult normalizeEmail(std::string_view raw, const EmailOptions& options = {});

}  // namespace crmsync::normalize
