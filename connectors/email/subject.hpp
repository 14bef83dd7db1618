// Threading by subject, for mail that carries neither References nor In-Reply-To.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::email {

/// The subject without reply and forward prefixes (Re:, RE:, Fw:, Fwd:, AW:, SV:, 回复:, 答复:, 转发:, repeated,
/// any case, ASCII or full-width colon, "Re[2]:" counters), white space collapsed, case-folded and NFC-normalized.
/// Empty when nothing is left.
std::string normalizedSubject(std::string_view subject);

/// Whether the subject starts with a reply or forward prefix (after leading white space).
bool hasReplyPrefix(std::string_view subject);

}  // namespace crmsync::email
