#include "email_source.hpp"

#include "gmime_support.hpp"
#include "mbox_file.hpp"
#include "message.hpp"
#include "parallel_parse.hpp"

#include <filesystem>
#include <memory>
#include <fstream>
#include <sstream>
#include <system_error>

namespace crmsync::email {
namespace fs = std::filesystem;
namespace {

// An mbox is read this many bytes at a time (more when one message is larger).
constexpr uint64_t kWindowBytes = 16u << 20;

std::optional<std::string> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(ss).str();
}

void checkCancelled(const sdk::Host& host) {
  if (host.cancelled()) throw sdk::Error(CRMSYNC_ERR_CANCELLED, "email source: cancelled by the host");
}

}  // namespace

void EmailSource::open(const sdk::Config& config, sdk::Host& host) {
  options_ = SourceOptions::fromConfig(config, host);
}

void EmailSource::read(sdk::Host& host) {
  const std::optional<std::string> cursor = host.cursor();
  MailboxFormat format = options_.format;
  if (format == MailboxFormat::Imap) {
    readImap(host, cursor);
    return;
  }
  std::error_code ec;
  const bool isDir = fs::is_directory(options_.path, ec);
  if (!isDir && !fs::exists(options_.path, ec)) {
    throw sdk::Error(CRMSYNC_ERR_IO, "email source: mailbox " + options_.path + " does not exist");
  }
  if (format == MailboxFormat::Auto) {
    format = !isDir ? MailboxFormat::Mbox : looksLikeMaildir(options_.path) ? MailboxFormat::Maildir : MailboxFormat::Eml;
  }
  if (format == MailboxFormat::Mbox) {
    if (isDir) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'path': " + options_.path +
                                               " is a folder, not an mbox file; set format to maildir or eml");
    }
    readMbox(host, cursor);
  } else {
    if (!isDir) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'path': " + options_.path +
                                               " is a file; a Maildir or .eml folder is a directory (or set format: mbox)");
    }
    readFolder(host, format, cursor);
  }
}

void EmailSource::readMbox(sdk::Host& host, const std::optional<std::string>& cursor) {
  const std::string& path = options_.path;
  MboxFile file(path);
  const uint64_t size = file.size();  // what an appending writer adds from now on is the next run's
  uint64_t start = 0;
  if (cursor) {
    auto c = MboxCursor::parse(*cursor);
    if (!c) {
      host.warn("email source: the stored cursor is not an mbox cursor; reading " + path + " from the start");
    } else if (!c->matchesFile(file.fd(), size, path)) {
      host.info("email source: " + path +
                " was rewritten or compacted since the last run (the bytes before the stored offset " +
                std::to_string(c->offset) + " changed); reading it again from the start");
    } else {
      start = c->offset;
    }
  }
  MessageEmitter emitter(host, options_.message, options_.batchSize);
  // Messages go to the parser threads in chunks; the results come back in mailbox order and are emitted here.
  constexpr size_t kChunkMessages = 32;
  OrderedParser parser(options_.message, options_.threads, [&](MessageChunk& chunk) {
    for (size_t i = 0; i < chunk.items.size(); ++i) {
      emitter.add(std::move(chunk.results[i]), chunk.items[i].raw(), chunk.items[i].origin);
    }
  });
  // The file is read in windows (not mapped: a writer that truncates the file during the read, as a failed
  // delivery does, would turn a mapped page into a fatal SIGBUS). A window holds whole messages from a From_
  // line on; the message cut at its end starts the next one.
  std::string window;
  uint64_t base = start;  // file offset of window[0]
  bool first = true;
  for (;;) {
    const uint64_t wanted = std::min<uint64_t>(size - base, std::max<uint64_t>(window.size() * 2, kWindowBytes));
    file.fill(base, static_cast<size_t>(wanted), window);
    // A file that shrank under the read ends the window early: it counts as the end.
    const bool atEnd = base + window.size() >= size || window.size() < wanted;
    MboxScanner scanner(window, 0, atEnd);
    if (first) {
      if (start == 0 && !window.empty() && !looksLikeMbox(window) && options_.format == MailboxFormat::Auto) {
        throw sdk::Error(CRMSYNC_ERR_DATA, "email source: " + path +
                                               " does not start with a From_ line, so it is not an mbox; for a "
                                               "single message put it in a folder of .eml files");
      }
      if (auto junk = scanner.leadingJunk()) {
        host.reject("", path + "@" + std::to_string(base),
                    "text before the first From_ line of the mbox (" + std::to_string(junk->size()) +
                        " bytes), skipped",
                    validUtf8(junk->substr(0, 4096)));
      }
    }
    auto chunk = std::make_unique<MessageChunk>();
    MboxMessage m;
    std::string unquoted;
    while (scanner.next(m)) {
      MessageChunk::Item item;
      item.origin = path + "@" + std::to_string(base + m.offset);
      item.view = m.raw;
      std::string_view raw = unquoteFromLines(m.raw, options_.quoting, unquoted);
      if (raw.data() != m.raw.data()) {
        item.owned = std::move(unquoted);
        item.usesOwned = true;
        unquoted.clear();
      }
      chunk->items.push_back(std::move(item));
      if (chunk->items.size() == kChunkMessages) {
        checkCancelled(host);
        parser.submit(std::move(chunk));
        chunk = std::make_unique<MessageChunk>();
      }
    }
    if (!chunk->items.empty()) parser.submit(std::move(chunk));
    // Every view into the window is delivered before the window moves.
    parser.finish();
    const size_t consumed = scanner.consumed();
    if (atEnd) {
      base += consumed;
      break;
    }
    window.erase(0, consumed);
    base += consumed;
    first = false;
  }
  emitter.flush();
  host.setCursor(MboxCursor::atFile(file.fd(), base, path).text());
  finish(host, path, emitter.messages(), emitter.rejected(), emitter.flagged());
}

void EmailSource::readFolder(sdk::Host& host, MailboxFormat format, const std::optional<std::string>& cursor) {
  const std::string kind = format == MailboxFormat::Maildir ? "maildir" : "eml";
  FolderCursor before;
  before.kind = kind;
  if (cursor) {
    auto c = FolderCursor::parse(*cursor);
    if (!c || c->kind != kind) {
      host.warn("email source: the stored cursor is not a " + kind + " cursor; reading " + options_.path +
                " from the start");
    } else {
      before = std::move(*c);
    }
  }
  const std::vector<MailFile> listing =
      format == MailboxFormat::Maildir ? listMaildir(options_.path) : listEmlFolder(options_.path);
  MessageEmitter emitter(host, options_.message, options_.batchSize);
  OrderedParser parser(options_.message, options_.threads, [&](MessageChunk& chunk) {
    for (size_t i = 0; i < chunk.items.size(); ++i) {
      emitter.add(std::move(chunk.results[i]), chunk.items[i].raw(), chunk.items[i].origin);
    }
  });
  constexpr size_t kChunkFiles = 16;
  auto chunk = std::make_unique<MessageChunk>();
  for (const MailFile* f : before.unseen(listing)) {
    std::string path = f->path;
    auto bytes = readWholeFile(path);
    if (!bytes && format == MailboxFormat::Maildir) {
      // Moved from new/ to cur/ (or its flags changed) since the listing: find it by its unique name.
      for (const auto& again : listMaildir(options_.path)) {
        if (again.id == f->id && (bytes = readWholeFile(again.path))) path = again.path;
      }
    }
    if (!bytes) {
      host.warn("email source: " + f->path + " disappeared before it could be read");
      continue;
    }
    MessageChunk::Item item;
    item.origin = std::move(path);
    item.owned = std::move(*bytes);
    item.usesOwned = true;
    chunk->items.push_back(std::move(item));
    if (chunk->items.size() == kChunkFiles) {
      checkCancelled(host);
      parser.submit(std::move(chunk));
      chunk = std::make_unique<MessageChunk>();
    }
  }
  if (!chunk->items.empty()) parser.submit(std::move(chunk));
  parser.finish();
  emitter.flush();
  host.setCursor(FolderCursor::after(kind, listing, before).text());
  finish(host, options_.path, emitter.messages(), emitter.rejected(), emitter.flagged());
}

void EmailSource::readImap(sdk::Host& host, const std::optional<std::string>& cursor) {
  const std::string& url = options_.imap.url;
  if (options_.imap.insecure) {
    host.warn("email source: TLS certificate verification is off for " + url +
              " (insecure: true); anyone on the network path can read this mailbox and its password");
  }
  std::optional<ImapCursor> from;
  if (cursor) {
    from = ImapCursor::parse(*cursor);
    if (!from) host.warn("email source: the stored cursor is not an IMAP cursor; reading " + url + " from the start");
  }
  MessageEmitter emitter(host, options_.message, options_.batchSize);
  ImapReadResult result;
  size_t undelivered = 0;
  try {
    ImapMailbox mailbox(options_.imap);
    result = mailbox.read(
        from,
        [&](std::string_view raw, const std::string& origin) {
          // The mailbox hands over a message it could not fetch with no content.
          if (raw.empty()) {
            host.reject("", origin,
                        "the IMAP server did not deliver this message (expunged, or its file vanished, while the "
                        "mailbox was read)");
            ++undelivered;
            return;
          }
          emitter.add(raw, origin);
        },
        [&] { return host.cancelled(); });
  } catch (const sdk::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw sdk::Error(CRMSYNC_ERR_IO, std::string("email source: ") + e.what());
  }
  checkCancelled(host);
  emitter.flush();
  if (result.fullReread) {
    host.info("email source: " + url + " has a new UIDVALIDITY; every message was read again (keys are Message-IDs, "
              "so nothing is duplicated)");
  }
  host.setCursor(result.cursor.text());
  finish(host, url, emitter.messages(), emitter.rejected() + undelivered, emitter.flagged());
}

void EmailSource::finish(sdk::Host& host, const std::string& what, size_t read, size_t rejected, size_t flagged) {
  std::string line = "email source: " + what + ": " + std::to_string(read) + " new message(s)";
  if (rejected) line += ", " + std::to_string(rejected) + " quarantined";
  if (flagged) line += ", " + std::to_string(flagged) + " with parts that could not be read (see decode_errors)";
  host.info(line);
}

}  // namespace crmsync::email
