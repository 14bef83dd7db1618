// Redaction of credentials from anything the HTTP service writes down: log lines, error messages, reports.
// Every log and error path of crmsync::http goes through these functions, so a token handed to a request can
// only leave the process on the wire, never in text.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::http {

/// What a redacted value is replaced with.
inline constexpr std::string_view kRedacted = "REDACTED";

/// True for headers that carry credentials (Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key,
/// and any name that mentions a token, secret, password or api key). Case-insensitive.
bool isSensitiveHeader(std::string_view name);

/// True for query parameter names that usually carry secrets (token, access_token, key, api_key, password,
/// sig, signature, secret, ...). Case-insensitive.
bool isSensitiveQueryName(std::string_view name);

/// The header value as it may be shown: "REDACTED" for sensitive headers, the value otherwise.
std::string redactHeaderValue(std::string_view name, std::string_view value);

/// The URL with userinfo ("user:pass@") and the values of sensitive query parameters replaced by "REDACTED".
/// Anything that does not parse as a URL is returned with the same query rules applied.
std::string redactUrl(std::string_view url);

/// Free text (a curl error, a server message, a log line) with every URL in it redacted, "Authorization: ..."
/// style header lines and Bearer/Basic credentials blanked, and name=value pairs with sensitive names blanked.
std::string redactText(std::string_view text);

}  // namespace crmsync::http
