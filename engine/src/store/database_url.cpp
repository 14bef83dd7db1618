#include "store/database_url.hpp"

#include <cctype>
#include <optional>
#include <string_view>

namespace crmsync::store {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = hexValue(in[i + 1]);
    int lo = hexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// libpq conninfo values are single-quoted with backslash escapes for ' and \.
void appendConninfo(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += "='";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

Status badUrl(const std::string& display, const std::string& why) {
  return invalidConfig("database URL '" + display + "': " + why +
                       " (expected path, sqlite:path, sqlite:///abs/path or "
                       "postgresql://user:password@host:port/database)");
}

Result<DatabaseTarget> parseSqlite(const std::string& url) {
  std::string path = url;
  if (path.compare(0, kSqlitePrefix.size(), kSqlitePrefix) == 0) {
    path = path.substr(kSqlitePrefix.size());
    // sqlite:///abs/path -> /abs/path; sqlite://rel -> rel (an empty authority is the only one allowed)
    if (path.compare(0, 2, "//") == 0) path = path.substr(2);
  }
  if (path.empty()) return badUrl(url, "the SQLite file path is empty");
  DatabaseTarget t;
  t.backend = Backend::kSqlite;
  t.path = path;
  t.display = url;
  // soci's sqlite3 backend takes the whole string as the file name unless it contains '='; then it parses
  // key=value pairs and a quoted db="..." value.
  if (path.find('=') == std::string::npos) {
    t.connectString = path;
  } else {
    if (path.find('"') != std::string::npos) return badUrl(url, "a SQLite path may not contain both '=' and '\"'");
    t.connectString = "db=\"" + path + "\"";
  }
  return t;
}

Result<DatabaseTarget> parsePostgres(const std::string& url, size_t schemeEnd) {
  std::string_view rest(url);
  rest.remove_prefix(schemeEnd + 3);  // after "://"

  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (auto s = rest.find('/'); s != std::string_view::npos) {
    path = rest.substr(s + 1);
    rest = rest.substr(0, s);
  }
  std::string_view userinfo;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  std::string_view hostport = rest;

  // The display form is rebuilt from the parts so the password never appears in it.
  std::string display = url.substr(0, schemeEnd + 3);
  DatabaseTarget t;
  t.backend = Backend::kPostgresql;
  std::string conninfo;

  if (!userinfo.empty()) {
    std::string_view user = userinfo;
    std::optional<std::string_view> password;
    if (auto c = userinfo.find(':'); c != std::string_view::npos) {
      user = userinfo.substr(0, c);
      password = userinfo.substr(c + 1);
    }
    auto u = percentDecode(user);
    if (!u) return badUrl(display + "...", "bad percent-encoding in the user name");
    display += std::string(user);
    if (!u->empty()) appendConninfo(conninfo, "user", *u);
    if (password) {
      auto p = percentDecode(*password);
      if (!p) return badUrl(display + ":***@...", "bad percent-encoding in the password");
      display += ":***";
      t.password = *p;
      appendConninfo(conninfo, "password", *p);
    }
    display += '@';
  }

  if (!hostport.empty()) {
    std::string_view host = hostport;
    std::string_view port;
    if (hostport.front() == '[') {
      auto close = hostport.find(']');
      if (close == std::string_view::npos) return badUrl(display, "unterminated [IPv6] host");
      host = hostport.substr(1, close - 1);
      auto after = hostport.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return badUrl(display, "unexpected text after the [IPv6] host");
        port = after.substr(1);
      }
    } else if (auto c = hostport.rfind(':'); c != std::string_view::npos) {
      host = hostport.substr(0, c);
      port = hostport.substr(c + 1);
    }
    auto h = percentDecode(host);
    if (!h) return badUrl(display, "bad percent-encoding in the host");
    if (!h->empty()) appendConninfo(conninfo, "host", *h);
    if (!port.empty()) {
      for (char c : port) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
          return badUrl(display + std::string(hostport), "the port must be a number");
        }
      }
      appendConninfo(conninfo, "port", port);
    }
    display += std::string(hostport);
  }

  if (!path.empty()) {
    auto db = percentDecode(path);
    if (!db) return badUrl(display, "bad percent-encoding in the database name");
    appendConninfo(conninfo, "dbname", *db);
    display += "/" + std::string(path);
  }

  bool clientEncodingGiven = false;
  if (!query.empty()) {
    display += "?";
    std::string_view q = query;
    bool first = true;
    while (!q.empty()) {
      auto amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return badUrl(display, "query parameter '" + std::string(pair) + "' is not key=value");
      }
      std::string_view key = pair.substr(0, eq);
      for (char c : key) {
        if (!(std::islower(static_cast<unsigned char>(c)) || c == '_')) {
          return badUrl(display, "'" + std::string(key) + "' is not a libpq connection keyword");
        }
      }
      auto value = percentDecode(pair.substr(eq + 1));
      if (!value) return badUrl(display, "bad percent-encoding in parameter " + std::string(key));
      if (key == "password") {
        t.password = *value;
        display += std::string(first ? "" : "&") + "password=***";
      } else {
        display += std::string(first ? "" : "&") + std::string(pair);
      }
      if (key == "client_encoding") clientEncodingGiven = true;
      first = false;
      appendConninfo(conninfo, key, *value);
    }
  }
  // Values travel as UTF-8 whatever the client's locale says.
  if (!clientEncodingGiven) appendConninfo(conninfo, "client_encoding", "UTF8");

  t.connectString = conninfo;
  t.display = display;
  return t;
}

}  // namespace

Result<DatabaseTarget> parseDatabaseUrl(const std::string& url) {
  if (url.empty()) return badUrl(url, "it is empty");
  if (url.compare(0, kSqlitePrefix.size(), kSqlitePrefix) == 0) return parseSqlite(url);
  auto schemeEnd = url.find("://");
  if (schemeEnd != std::string::npos) {
    std::string scheme = url.substr(0, schemeEnd);
    bool looksLikeScheme = !scheme.empty();
    for (char c : scheme) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') looksLikeScheme = false;
    }
    if (looksLikeScheme) {
      if (scheme == "postgresql" || scheme == "postgres") return parsePostgres(url, schemeEnd);
      return badUrl(scheme + "://...", "unsupported scheme '" + scheme + "'");
    }
  }
  return parseSqlite(url);
}

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

}  // namespace crmsync::store
