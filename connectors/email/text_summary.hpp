// Short plain-text summaries of message bodies: HTML turned into text through libxml2's HTML parser, quoted
// replies and signatures cut, white space collapsed, length capped in code points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crmsync::email {

/// The visible text of an HTML document (UTF-8 in, UTF-8 out): script, style and head dropped, block elements
/// and <br> turned into line breaks, entities decoded.
std::string htmlToText(std::string_view html);

/// The body without what a reader of the summary does not need: lines quoted with '>', everything from a
/// reply header ("On ... wrote:", "-----Original Message-----", "发件人:", "-----原始邮件-----") or a signature
/// delimiter ("-- ") on. Returns the text before that point, untouched otherwise; stops once `enough` bytes are
/// kept (a summary needs only its first few hundred characters).
std::string_view stripQuotedAndSignature(std::string_view text, std::string& storage, size_t enough = SIZE_MAX);

/// White space runs collapsed to one space, trimmed, cut to at most maxChars code points.
std::string collapseAndCut(std::string_view text, size_t maxChars);

/// stripQuotedAndSignature then collapseAndCut.
std::string summarize(std::string_view text, size_t maxChars);

}  // namespace crmsync::email
