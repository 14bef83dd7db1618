// One e-mail message turned into crmsync records: an interaction (channel email) and a customer for each
// external party. Shared by every mailbox kind (mbox, Maildir, .eml folder, IMAP).
#pragma once

#include <crmsync/sdk/plugin.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace crmsync::email {

struct MessageOptions {
  /// Lower-cased addresses and domains that are "us": mail from them is outbound, to them inbound.
  std::vector<std::string> ownAddresses;
  std::vector<std::string> ownDomains;
  /// Length of the plain-text summary, in characters (code points).
  size_t summaryChars = 280;
};

/// The records of one message. error non-empty: the message could not be read at all and goes to quarantine
/// with that reason (records is then empty).
struct MessageRecords {
  std::string key;  // the interaction's source key: the Message-ID, or a stable hash when there is none
  std::vector<sdk::Record> records;
  std::string error;
};

/// Parses one RFC 5322 message (raw bytes, CRLF or LF) and builds its records. origin says where it came from
/// (a file path and byte offset, an IMAP URL with UID) and is copied to every record.
MessageRecords messageRecords(std::string_view raw, const MessageOptions& options, const std::string& origin);

/// True when a lower-cased address is one of ours: listed in ownAddresses, or at one of ownDomains or a
/// subdomain of one.
bool isOwnAddress(const MessageOptions& options, std::string_view loweredAddress);

/// Collects messages' records into batches for Host::emit, emits each external party's customer record once per
/// run, and sends unreadable messages to quarantine through Host::reject.
class MessageEmitter {
 public:
  MessageEmitter(sdk::Host& host, const MessageOptions& options, size_t batchSize = 1024);
  /// Parses raw and queues its records (or rejects it). Returns false when the message was quarantined.
  bool add(std::string_view raw, const std::string& origin);
  /// Queues records messageRecords() already built (on another thread) for raw; same result as add(raw, origin).
  bool add(MessageRecords&& records, std::string_view raw, const std::string& origin);
  /// Emits what is queued.
  void flush();
  size_t messages() const { return messages_; }
  size_t rejected() const { return rejected_; }
  /// Messages kept with a decode_errors field (a part or header that could not be read).
  size_t flagged() const { return flagged_; }

 private:
  sdk::Host& host_;
  MessageOptions options_;
  size_t batchSize_;
  std::vector<sdk::Record> batch_;
  std::unordered_set<std::string> customersSeen_;
  size_t messages_ = 0;
  size_t rejected_ = 0;
  size_t flagged_ = 0;
};

}  // namespace crmsync::email
