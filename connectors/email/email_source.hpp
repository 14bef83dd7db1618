// The email source plugin: reads an mbox file, a Maildir or a folder of .eml files into interaction records
// (channel email) and customer records for the external parties, reading only what is new since the last run.
#pragma once

#include "mail_folder.hpp"
#include "source_options.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <optional>
#include <string>

namespace crmsync::email {

class EmailSource : public sdk::Source {
 public:
  static constexpr const char* kName = "email";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription =
      "Reads e-mail (mbox, Maildir, a folder of .eml files, IMAP/IMAPS) into interactions and the customers they "
      "involve";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"path", CRMSYNC_CONFIG_PATH, nullptr, 0,
       "The mailbox: an mbox file, a Maildir (a folder with cur/ and new/) or a folder of .eml files"},
      {"format", CRMSYNC_CONFIG_STRING, "auto", 0,
       "auto (url set: IMAP; a folder with cur/ or new/: Maildir; another folder: .eml files; a file: mbox), "
       "mbox, maildir, eml or imap"},
      {"mbox_quoting", CRMSYNC_CONFIG_STRING, "mboxrd", 0,
       "How the mbox quotes body lines starting with 'From ': mboxrd (strip one '>' from >From, >>From, ...) or "
       "mboxo (only >From)"},
      {"own_addresses", CRMSYNC_CONFIG_STRING_LIST, "[]", 0,
       "Our own e-mail addresses: mail from them is outbound, and they are never turned into customers"},
      {"own_domains", CRMSYNC_CONFIG_STRING_LIST, "[]", 0,
       "Our own domains (subdomains included), e.g. example.com: mail from them is outbound"},
      {"summary_chars", CRMSYNC_CONFIG_INT, "280", 0,
       "Length of the plain-text summary, in characters (code points)"},
      {"batch_size", CRMSYNC_CONFIG_INT, "1024", 0, "Records per emitted batch"},
      {"threads", CRMSYNC_CONFIG_INT, "0", 0,
       "Threads parsing messages of an mbox, Maildir or .eml folder (records still come out in mailbox order); "
       "0: one per core"},
      {"url", CRMSYNC_CONFIG_STRING, nullptr, 0,
       "IMAP mailbox instead of path: imaps://host:993/INBOX or imap://host:143/INBOX (no credentials in it)"},
      {"username", CRMSYNC_CONFIG_STRING, nullptr, 0, "IMAP login"},
      {"password", CRMSYNC_CONFIG_SECRET, nullptr, 0, "IMAP password; write ${env:NAME} or ${file:PATH}, never the value"},
      {"ca_bundle", CRMSYNC_CONFIG_PATH, nullptr, 0,
       "PEM file of the CA certificates that sign the IMAPS server's certificate; default: the system's store"},
      {"insecure", CRMSYNC_CONFIG_BOOL, "false", 0,
       "Skip TLS certificate verification (testing only; warned about at every run)"},
      {"connect_timeout_s", CRMSYNC_CONFIG_INT, "30", 0, "Seconds to wait for the IMAP server to accept a connection"},
      {"timeout_s", CRMSYNC_CONFIG_INT, "300", 0, "Seconds one IMAP request (a search, a message fetch) may take"},
  };

  void open(const sdk::Config& config, sdk::Host& host) override;
  void read(sdk::Host& host) override;

 private:
  void readMbox(sdk::Host& host, const std::optional<std::string>& cursor);
  void readFolder(sdk::Host& host, MailboxFormat format, const std::optional<std::string>& cursor);
  void readImap(sdk::Host& host, const std::optional<std::string>& cursor);
  void finish(sdk::Host& host, const std::string& what, size_t read, size_t rejected, size_t flagged);

  SourceOptions options_;
};

}  // namespace crmsync::email
