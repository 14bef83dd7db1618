// The email source's settings, checked once at open() so a bad pipeline fails before any mailbox is read.
#pragma once

#include "imap_mailbox.hpp"
#include "mbox_reader.hpp"
#include "message.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <cstddef>
#include <string>

namespace crmsync::email {

/// Which kind of mailbox is read. Auto: url set means IMAP; else a directory with cur/ or new/ is a Maildir,
/// another directory a folder of .eml files, a file an mbox.
enum class MailboxFormat { Auto, Mbox, Maildir, Eml, Imap };

struct SourceOptions {
  std::string path;
  MailboxFormat format = MailboxFormat::Auto;
  MboxQuoting quoting = MboxQuoting::Mboxrd;
  MessageOptions message;
  size_t batchSize = 1024;
  size_t threads = 0;  // parser threads for an mbox; 0: one per core
  ImapOptions imap;      // format Imap: url, username, password (resolved), TLS and timeouts

  /// Reads and checks the config; a password still written as a ${env:...} or ${file:...} reference is resolved
  /// through host.secret. Throws sdk::Error(CRMSYNC_ERR_CONFIG) naming the key and the allowed values.
  static SourceOptions fromConfig(const sdk::Config& config, const sdk::Host& host);
};

}  // namespace crmsync::email
