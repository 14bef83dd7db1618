// An IMAP or IMAPS mailbox read through libcurl. The cursor is (UIDVALIDITY, last UID); a UIDVALIDITY change
// means a full re-read, made harmless downstream by Message-ID keys. Bodies are fetched through ;UID= URLs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::email {

struct ImapOptions {
  std::string url;  // imap://host:port/MAILBOX or imaps://host:port/MAILBOX
  std::string username;
  std::string password;  // resolved secret: never logged
  std::string caBundle;  // empty: the system's CA store
  bool insecure = false;  // skip TLS verification (warned about by the caller)
  long connectTimeoutS = 30;
  long timeoutS = 300;
};

struct ImapCursor {
  uint64_t uidValidity = 0;
  uint64_t lastUid = 0;
  static std::optional<ImapCursor> parse(std::string_view text);  // nullopt: malformed or empty
  std::string text() const;
};

struct ImapReadResult {
  ImapCursor cursor;      // to store after the messages are loaded
  bool fullReread = false;  // the server's UIDVALIDITY differed from the cursor's
  uint64_t fetched = 0;
};

class ImapMailbox {
 public:
  explicit ImapMailbox(ImapOptions options);
  ~ImapMailbox();
  ImapMailbox(const ImapMailbox&) = delete;
  ImapMailbox& operator=(const ImapMailbox&) = delete;

  /// Fetches every message with a UID above the cursor's (all of them without a cursor, or when UIDVALIDITY
  /// changed), in UID order, calling onMessage(raw, origin) for each. Throws std::runtime_error naming the
  /// URL (without credentials) when the server cannot be read. cancelled() is polled between messages.
  ImapReadResult read(const std::optional<ImapCursor>& cursor,
                      const std::function<void(std::string_view raw, const std::string& origin)>& onMessage,
                      const std::function<bool()>& cancelled);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace crmsync::email
