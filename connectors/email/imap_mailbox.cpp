#include "imap_mailbox.hpp"

#include <curl/curl.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace crmsync::email {

namespace {

// A connection that fails is retried this many times, after 0.5 s, 1 s, 2 s: long enough for a server restart,
// short enough that a run against a dead server ends within seconds.
constexpr int kConnectionRetries = 3;
constexpr std::chrono::milliseconds kFirstBackoff{500};

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool parseUint(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Modified UTF-7 (RFC 3501 5.1.3) as IMAP servers spell mailbox names: printable ASCII, '&' opening a
// base64 run closed by '-'.
bool isModifiedUtf7(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c > 0x7e) return false;
    if (c != '&') continue;
    size_t j = i + 1;
    while (j < name.size() && (std::isalnum(static_cast<unsigned char>(name[j])) || name[j] == '+' || name[j] == ','))
      ++j;
    if (j == name.size() || name[j] != '-') return false;
    i = j;
  }
  return true;
}

// A UTF-8 mailbox name in modified UTF-7 through glibc's UTF-7-IMAP converter.
std::string toModifiedUtf7(const std::string& utf8) {
  iconv_t cd = iconv_open("UTF-7-IMAP", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw std::runtime_error("IMAP: this system's iconv has no UTF-7-IMAP converter for mailbox names");
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inLeft = utf8.size();
  char* o = out.data();
  size_t outLeft = out.size();
  size_t rc = iconv(cd, &in, &inLeft, &o, &outLeft);
  if (rc != static_cast<size_t>(-1)) rc = iconv(cd, nullptr, nullptr, &o, &outLeft);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1))
    throw std::runtime_error("IMAP: mailbox name '" + utf8 + "' is neither UTF-8 nor modified UTF-7");
  out.resize(out.size() - outLeft);
  return out;
}

// An IMAP quoted string (RFC 3501 4.3) for a command line.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// The numbers of the untagged "* SEARCH 1 2 3" lines of a custom request's answer.
std::vector<uint64_t> parseSearch(std::string_view answer) {
  std::vector<uint64_t> uids;
  size_t pos = 0;
  while (pos < answer.size()) {
    size_t eol = answer.find('\n', pos);
    if (eol == std::string_view::npos) eol = answer.size();
    std::string_view line = answer.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    constexpr std::string_view kPrefix = "* SEARCH";
    if (line.size() < kPrefix.size() || line.substr(0, kPrefix.size()) != kPrefix) continue;
    line.remove_prefix(kPrefix.size());
    while (!line.empty()) {
      size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      size_t end = line.find(' ');
      std::string_view word = line.substr(0, end);
      uint64_t uid = 0;
      if (parseUint(word, uid)) uids.push_back(uid);
      line.remove_prefix(end == std::string_view::npos ? line.size() : end);
    }
  }
  return uids;
}

// The value after `name` in the parenthesised list of a "* STATUS mailbox (...)" line.
std::optional<uint64_t> statusItem(std::string_view answer, std::string_view name) {
  size_t status = answer.find("* STATUS ");
  if (status == std::string_view::npos) return std::nullopt;
  size_t open = answer.rfind('(', answer.find('\n', status));
  if (open == std::string_view::npos || open < status) return std::nullopt;
  std::string_view list = answer.substr(open + 1);
  list = list.substr(0, list.find(')'));
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view word = list.substr(pos, end - pos);
    pos = end + 1;
    if (word.size() == name.size() && std::equal(word.begin(), word.end(), name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      size_t valueEnd = list.find(' ', pos);
      if (valueEnd == std::string_view::npos) valueEnd = list.size();
      uint64_t value = 0;
      if (parseUint(list.substr(pos, valueEnd - pos), value)) return value;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool isConnectionFailure(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

size_t appendBody(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

struct CurlFailure {
  CURLcode code = CURLE_OK;
  std::string message;
};

}  // namespace

std::optional<ImapCursor> ImapCursor::parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  ImapCursor cursor;
  if (!parseUint(text.substr(0, colon), cursor.uidValidity) || !parseUint(text.substr(colon + 1), cursor.lastUid))
    return std::nullopt;
  if (cursor.uidValidity == 0) return std::nullopt;  // RFC 3501: UIDVALIDITY is a non-zero number
  return cursor;
}

std::string ImapCursor::text() const { return std::to_string(uidValidity) + ":" + std::to_string(lastUid); }

struct ImapMailbox::Impl {
  ImapOptions options;
  std::string base;         // imap://host:port, no credentials
  std::string mailbox;      // modified UTF-7, as the server names it
  std::string mailboxPath;  // the same, percent-encoded for URLs
  CURL* curl = nullptr;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  std::string body;
  bool used = false;

  explicit Impl(ImapOptions o) : options(std::move(o)) {
    globalInit();
    parseUrl();
    openHandle();
  }

  // Every read starts on a new connection: Dovecot answers STATUS on the mailbox a session has selected from
  // that session's view, which does not include mail delivered since.
  void openHandle() {
    if (curl) curl_easy_cleanup(curl);
    curl = curl_easy_init();
    if (!curl) throw std::runtime_error("IMAP " + base + ": cannot create a curl handle");
    configure();
  }

  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }

  void parseUrl() {
    CURLU* url = curl_url();
    if (!url) throw std::runtime_error("IMAP: out of memory parsing the mailbox URL");
    struct Guard {
      CURLU* u;
      ~Guard() { curl_url_cleanup(u); }
    } guard{url};
    if (curl_url_set(url, CURLUPART_URL, options.url.c_str(), 0) != CURLUE_OK)
      throw std::runtime_error("IMAP: '" + redactedUrl() + "' is not a URL; write imap://host:port/MAILBOX or imaps://...");
    auto part = [&](CURLUPart which, unsigned flags) -> std::string {
      char* value = nullptr;
      if (curl_url_get(url, which, &value, flags) != CURLUE_OK || !value) return {};
      std::string out = value;
      curl_free(value);
      return out;
    };
    std::string scheme = part(CURLUPART_SCHEME, 0);
    if (scheme != "imap" && scheme != "imaps")
      throw std::runtime_error("IMAP: '" + redactedUrl() + "' has scheme '" + scheme +
                               "'; write imap://host:port/MAILBOX or imaps://host:port/MAILBOX");
    if (!part(CURLUPART_USER, 0).empty() || !part(CURLUPART_PASSWORD, 0).empty())
      throw std::runtime_error("IMAP: '" + redactedUrl() +
                               "' holds credentials; give them as username and password, not in the URL");
    std::string host = part(CURLUPART_HOST, 0);
    std::string port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
    base = scheme + "://" + host + ":" + port;
    std::string path = part(CURLUPART_PATH, CURLU_URLDECODE);
    if (!part(CURLUPART_QUERY, 0).empty() || path.find(';') != std::string::npos)
      throw std::runtime_error("IMAP: '" + redactedUrl() + "' has URL parameters; give only imap://host:port/MAILBOX");
    while (!path.empty() && path.front() == '/') path.erase(path.begin());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.empty()) path = "INBOX";
    for (unsigned char c : path)
      if (c < 0x20 || c == 0x7f)
        throw std::runtime_error("IMAP: mailbox name in '" + redactedUrl() + "' holds a control character");
    bool ascii = std::all_of(path.begin(), path.end(), [](unsigned char c) { return c < 0x80; });
    mailbox = ascii && isModifiedUtf7(path) ? path : toModifiedUtf7(path);
    char* escaped = curl_easy_escape(nullptr, mailbox.data(), static_cast<int>(mailbox.size()));
    if (!escaped) throw std::runtime_error("IMAP: out of memory escaping the mailbox name");
    mailboxPath = escaped;
    curl_free(escaped);
  }

  // The configured URL with any user information cut out, for messages about the URL itself.
  std::string redactedUrl() const {
    const std::string& u = options.url;
    size_t scheme = u.find("://");
    if (scheme == std::string::npos) return u.find('@') == std::string::npos ? u : "(URL withheld: it holds '@')";
    size_t authorityEnd = u.find_first_of("/?#", scheme + 3);
    size_t at = u.rfind('@', authorityEnd == std::string::npos ? u.size() : authorityEnd);
    if (at == std::string::npos || at < scheme + 3) return u;
    return u.substr(0, scheme + 3) + u.substr(at + 1);
  }

  void configure() {
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(curl, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options.password.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options.connectTimeoutS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, options.timeoutS);
    // One round trip per message: Nagle's algorithm would hold each small command back for the previous ACK.
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024L);
    // imap:// upgrades through STARTTLS when the server offers it; the certificate is then verified too.
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
    if (!options.caBundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.caBundle.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  }

  std::string mailboxUrl(uint64_t uidValidity) const {
    return base + "/" + mailboxPath + ";UIDVALIDITY=" + std::to_string(uidValidity);
  }
  std::string messageUrl(uint64_t uidValidity, uint64_t uid) const {
    return mailboxUrl(uidValidity) + "/;UID=" + std::to_string(uid);
  }

  // One request; body holds the answer. Connection failures are retried with backoff, other failures returned.
  CurlFailure perform(const std::string& url, const char* customRequest) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, customRequest);
    std::chrono::milliseconds backoff = kFirstBackoff;
    for (int attempt = 0;; ++attempt) {
      body.clear();
      errorBuffer[0] = '\0';
      CURLcode code = curl_easy_perform(curl);
      if (code == CURLE_OK) return {};
      if (!isConnectionFailure(code) || attempt == kConnectionRetries) {
        std::string message = errorBuffer[0] ? errorBuffer : curl_easy_strerror(code);
        if (isConnectionFailure(code))
          message += " (after " + std::to_string(kConnectionRetries + 1) + " attempts)";
        return {code, message};
      }
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }

  [[noreturn]] void fail(const std::string& url, const std::string& what, const CurlFailure& failure) const {
    std::string message = "IMAP " + url + ": " + what + ": " + failure.message + " (curl error " +
                          std::to_string(static_cast<int>(failure.code)) + ")";
    if (failure.code == CURLE_LOGIN_DENIED)
      message += "; check the username ('" + options.username + "') and password";
    throw std::runtime_error(message);
  }

  struct Status {
    uint64_t uidValidity = 0;
    uint64_t uidNext = 0;
    uint64_t messages = 0;
  };

  Status status() {
    std::string url = base + "/";
    std::string command = "STATUS " + quoted(mailbox) + " (UIDVALIDITY UIDNEXT MESSAGES)";
    if (CurlFailure f = perform(url, command.c_str()); f.code != CURLE_OK)
      fail(base + "/" + mailboxPath, "STATUS", f);
    Status s;
    auto validity = statusItem(body, "UIDVALIDITY");
    if (!validity || *validity == 0)
      throw std::runtime_error("IMAP " + base + "/" + mailboxPath + ": the STATUS answer has no UIDVALIDITY: '" +
                               body.substr(0, 200) + "'");
    s.uidValidity = *validity;
    s.uidNext = statusItem(body, "UIDNEXT").value_or(0);
    s.messages = statusItem(body, "MESSAGES").value_or(0);
    return s;
  }

  std::vector<uint64_t> search(uint64_t uidValidity, const std::string& criteria, uint64_t from) {
    std::string url = mailboxUrl(uidValidity);
    std::string command = "UID SEARCH " + criteria;
    if (CurlFailure f = perform(url, command.c_str()); f.code != CURLE_OK) fail(url, command, f);
    std::vector<uint64_t> uids = parseSearch(body);
    // n:* always matches the highest UID, even one below n.
    std::erase_if(uids, [from](uint64_t uid) { return uid < from; });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
  }

  [[noreturn]] void uidValidityChanged(const std::string& url, uint64_t was, uint64_t now) const {
    throw std::runtime_error("IMAP " + url + ": UIDVALIDITY changed from " + std::to_string(was) + " to " +
                             std::to_string(now) + " during the read; the next run reads the mailbox again from the start");
  }

  // curl fetches with BODY[] (not BODY.PEEK[]) after a read-write SELECT, and BODY[] sets \Seen in a read-write
  // mailbox. Once curl has selected the mailbox, EXAMINE re-opens it read-only in the same session; curl still
  // takes it for selected and fetches from it directly, and the fetches leave every flag alone. (It also saves
  // the server a flag update and a Maildir rename per message: about 5 ms each on Dovecot.) curl does not see
  // EXAMINE's UIDVALIDITY, so it is checked here.
  void examine(uint64_t uidValidity) {
    std::string url = mailboxUrl(uidValidity);
    std::string command = "EXAMINE " + quoted(mailbox);
    if (CurlFailure f = perform(url, command.c_str()); f.code != CURLE_OK) {
      if (f.code == CURLE_REMOTE_FILE_NOT_FOUND) checkUidValidity(url, uidValidity);
      fail(url, command, f);
    }
    size_t at = body.find("[UIDVALIDITY ");
    uint64_t now = 0;
    if (at != std::string::npos) {
      size_t start = at + std::string_view("[UIDVALIDITY ").size();
      size_t end = body.find(']', start);
      if (end != std::string::npos) parseUint(std::string_view(body).substr(start, end - start), now);
    }
    if (now == 0)
      throw std::runtime_error("IMAP " + url + ": the EXAMINE answer has no UIDVALIDITY: '" + body.substr(0, 200) + "'");
    if (now != uidValidity) uidValidityChanged(url, uidValidity, now);
  }

  void checkUidValidity(const std::string& url, uint64_t uidValidity) {
    Status now = status();
    if (now.uidValidity != uidValidity) uidValidityChanged(url, uidValidity, now.uidValidity);
  }

  // A fetch that had to reconnect went through curl's own read-write SELECT and set \Seen: clear it again when
  // the message did not have it, before the mailbox is examined read-only once more.
  void clearSeen(uint64_t uidValidity, uint64_t uid) {
    std::string url = mailboxUrl(uidValidity);
    std::string command = "UID STORE " + std::to_string(uid) + " -FLAGS.SILENT (\\Seen)";
    if (CurlFailure f = perform(url, command.c_str()); f.code != CURLE_OK)
      fail(url, "clearing the \\Seen flag that fetching UID " + std::to_string(uid) + " set", f);
  }

  long connectsOfLastRequest() {
    long connects = 0;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
    return connects;
  }

  ImapReadResult read(const std::optional<ImapCursor>& cursor,
                      const std::function<void(std::string_view, const std::string&)>& onMessage,
                      const std::function<bool()>& cancelled) {
    if (used) openHandle();
    used = true;
    Status s = status();
    ImapReadResult result;
    result.cursor.uidValidity = s.uidValidity;
    result.fullReread = cursor && cursor->uidValidity != s.uidValidity;
    uint64_t from = 1;
    if (cursor && !result.fullReread) {
      result.cursor.lastUid = cursor->lastUid;
      from = cursor->lastUid + 1;
    }
    // UIDNEXT at or below the first wanted UID: nothing new, and no SELECT needed to know it.
    if (s.uidNext != 0 && s.uidNext <= from) return result;
    if (s.messages == 0) return result;

    std::string range = std::to_string(from) + ":*";
    std::vector<uint64_t> uids = search(s.uidValidity, "UID " + range, from);
    if (uids.empty()) return result;
    std::vector<uint64_t> unseen = search(s.uidValidity, "UNSEEN UID " + range, from);
    // When every message to fetch is \Seen already, curl's BODY[] changes nothing and the mailbox need not be
    // opened a second time (for Dovecot on a large Maildir, that open is most of an incremental sync).
    bool readOnly = unseen.empty();

    for (uint64_t uid : uids) {
      if (cancelled && cancelled()) break;
      if (!readOnly) {
        examine(s.uidValidity);
        readOnly = true;
      }
      std::string url = messageUrl(s.uidValidity, uid);
      CurlFailure f = perform(url, nullptr);
      // 78: no FETCH answer (the UID is gone, or curl's SELECT saw another UIDVALIDITY). 8: an answer without
      // a literal, as Dovecot's "BODY[] NIL" for a message whose file vanished. Only a new UIDVALIDITY ends the
      // read. curl closed the connection either way: the next fetch selects again.
      if (f.code == CURLE_REMOTE_FILE_NOT_FOUND || f.code == CURLE_WEIRD_SERVER_REPLY) {
        checkUidValidity(url, s.uidValidity);
        readOnly = false;
        // Reported to the caller with no content, so it can say which message could not be read.
        onMessage(std::string_view(), url);
        result.cursor.lastUid = uid;
        continue;
      }
      if (f.code != CURLE_OK) fail(url, "fetching UID " + std::to_string(uid), f);
      if (connectsOfLastRequest() > 0) {
        readOnly = false;
        if (std::binary_search(unseen.begin(), unseen.end(), uid)) {
          std::string raw = std::move(body);
          clearSeen(s.uidValidity, uid);
          body = std::move(raw);
        }
      }
      onMessage(body, url);
      ++result.fetched;
      result.cursor.lastUid = uid;
    }
    return result;
  }
};

ImapMailbox::ImapMailbox(ImapOptions options) : impl_(new Impl(std::move(options))) {}

ImapMailbox::~ImapMailbox() { delete impl_; }

ImapReadResult ImapMailbox::read(const std::optional<ImapCursor>& cursor,
                                 const std::function<void(std::string_view raw, const std::string& origin)>& onMessage,
                                 const std::function<bool()>& cancelled) {
  return impl_->read(cursor, onMessage, cancelled);
}

}  // namespace crmsync::email
