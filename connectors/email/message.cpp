#include "message.hpp"

#include "gmime_support.hpp"
#include "subject.hpp"
#include "text_summary.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

namespace crmsync::email {
namespace {

// Bodies longer than this are cut before summarizing: a summary needs the first few hundred characters.
constexpr size_t kSummaryInputBytes = 64 * 1024;
// Quarantined messages keep at most this much of their raw text.
constexpr size_t kRejectedRawBytes = 64 * 1024;

struct Party {
  std::string name;
  std::string address;  // as the message has it, trimmed
  std::string lowered;
};

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(g_ascii_tolower(c));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && g_ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && g_ascii_isspace(s.back())) s.remove_suffix(1);
  return std::string(s);
}

void appendProblem(std::vector<std::string>& problems, std::string p) {
  if (std::find(problems.begin(), problems.end(), p) == problems.end()) problems.push_back(std::move(p));
}

const char* warningText(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid Content-Type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 header value";
    case GMIME_WARN_MALFORMED_MULTIPART: return "multipart without parts";
    case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
    case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
    case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting header parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
    case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting too deep";
    case GMIME_WARN_PART_WITHOUT_CONTENT: return "MIME part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "MIME part without headers or content";
    default: return nullptr;  // duplicated headers, 8-bit headers and the like are read fine
  }
}

struct ParseWarnings {
  std::vector<std::string> problems;
  bool truncated = false;
  bool critical = false;
};

void onParserWarning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer user) {
  auto* w = static_cast<ParseWarnings*>(user);
  const char* text = warningText(code);
  if (!text) return;
  if (code == GMIME_WARN_TRUNCATED_MESSAGE) w->truncated = true;
  if (code == GMIME_CRIT_NESTING_OVERFLOW || code == GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT) w->critical = true;
  std::string p = text;
  if (item && *item) p += std::string(" '") + validUtf8(std::string_view(item).substr(0, 80)) + "'";
  if (offset >= 0) p += " at message byte " + std::to_string(offset);
  appendProblem(w->problems, std::move(p));
}

// The message as GMime's MIME tree. It is built as a part, not a GMimeMessage: a GMimeMessage parses and
// decodes its address and subject headers as it is built, which this module does itself from the raw values
// (to join split encoded words first), so the message's own decoding would be paid twice.
class Parsed {
 public:
  explicit Parsed(GMimeObject* m) : message_(m) {}
  GMimeObject* object() const { return message_.get(); }

  /// The raw (undecoded) value of the first header of that name, trimmed; nullopt when absent.
  std::optional<std::string> raw(const char* name) const {
    GMimeHeaderList* list = g_mime_object_get_header_list(object());
    GMimeHeader* h = list ? g_mime_header_list_get_header(list, name) : nullptr;
    if (!h) return std::nullopt;
    const char* v = g_mime_header_get_raw_value(h);
    if (!v) return std::string();
    return trim(v);
  }

 private:
  GRef<GMimeObject> message_;
};

void flattenAddresses(InternetAddressList* list, std::vector<Party>& out) {
  if (!list) return;
  const int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      flattenAddresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), out);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    Party p;
    p.address = validUtf8(trim(addr ? addr : ""));
    if (p.address.empty()) continue;
    const char* name = internet_address_get_name(a);
    p.name = validUtf8(trim(name ? name : ""));
    p.lowered = lowerAscii(p.address);
    out.push_back(std::move(p));
  }
}

// "Name <addr>, Group: a, b;": the list as a reader would write it (internet_address_list_to_string also
// converts every domain to IDNA, which costs more than the rest of the message).
std::string display(InternetAddressList* list) {
  std::string out;
  const int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (!out.empty()) out += ", ";
    const char* name = internet_address_get_name(a);
    const std::string trimmedName = trim(name ? name : "");
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      out += trimmedName + ":";
      std::string members = display(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
      out += members.empty() ? ";" : " " + members + ";";
      continue;
    }
    const char* addr = INTERNET_ADDRESS_IS_MAILBOX(a) ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))
                                                      : nullptr;
    if (trimmedName.empty()) out += addr ? addr : "";
    else out += trimmedName + " <" + (addr ? addr : "") + ">";
  }
  return validUtf8(out);
}

struct AddressField {
  std::vector<Party> parties;
  std::string display;  // the decoded list as "Name <addr>, ..."
};

AddressField addresses(const Parsed& m, const char* header, std::vector<std::string>& problems) {
  AddressField f;
  auto raw = m.raw(header);
  if (!raw || raw->empty()) return f;
  for (const auto& cs : undecodableCharsets(*raw)) {
    appendProblem(problems, std::string("undecodable charset ") + cs + " in " + header);
  }
  std::string prepared = prepareEncodedWords(*raw);
  InternetAddressList* list = internet_address_list_parse(parserOptions(), prepared.c_str());
  if (!list) {
    appendProblem(problems, std::string("unreadable ") + header + " header");
    return f;
  }
  flattenAddresses(list, f.parties);
  f.display = display(list);
  g_object_unref(list);
  return f;
}

std::string decodedText(const Parsed& m, const char* header, std::vector<std::string>& problems) {
  auto raw = m.raw(header);
  if (!raw || raw->empty()) return {};
  for (const auto& cs : undecodableCharsets(*raw)) {
    appendProblem(problems, std::string("undecodable charset ") + cs + " in " + header);
  }
  std::string prepared = prepareEncodedWords(*raw);
  const bool plainAscii = prepared.find("=?") == std::string::npos &&
                          std::all_of(prepared.begin(), prepared.end(), [](char c) { return (c & 0x80) == 0; });
  if (plainAscii) return trim(validUtf8(prepared));  // nothing for the decoder to do
  return trim(validUtf8(takeGString(g_mime_utils_header_decode_text(parserOptions(), prepared.c_str()))));
}

std::string firstMessageId(const std::optional<std::string>& raw) {
  if (!raw || raw->empty()) return {};
  GMimeReferences* refs = g_mime_references_parse(parserOptions(), raw->c_str());
  std::string id;
  if (refs && g_mime_references_length(refs) > 0) id = g_mime_references_get_message_id(refs, 0);
  if (refs) g_mime_references_free(refs);
  if (id.empty()) id = takeGString(g_mime_utils_decode_message_id(raw->c_str()));
  return validUtf8(trim(id));
}

std::optional<std::string> utcIso(const std::string& rawDate) {
  if (rawDate.empty()) return std::nullopt;
  GDateTime* d = g_mime_utils_header_decode_date(rawDate.c_str());
  if (!d) return std::nullopt;
  GDateTime* u = g_date_time_to_utc(d);
  g_date_time_unref(d);
  if (!u) return std::nullopt;
  std::string out = takeGString(g_date_time_format(u, "%Y-%m-%dT%H:%M:%SZ"));
  g_date_time_unref(u);
  if (out.empty()) return std::nullopt;
  return out;
}

// The text of one leaf part, transfer encoding and charset decoded to UTF-8.
std::optional<std::string> partText(GMimePart* part, const char* what, std::vector<std::string>& problems) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return std::string();
  GRef<GMimeStream> mem(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, mem.get()) < 0) {
    appendProblem(problems, std::string("unreadable ") + what + " part");
    return std::nullopt;
  }
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  std::string_view data(reinterpret_cast<const char*>(bytes->data), bytes->len);
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  if (charset && *charset) {
    Converted c = toUtf8(data, charset);
    if (!c.ok) {
      appendProblem(problems, std::string("undecodable charset ") + validUtf8(charset) + " in " + what + " part");
      return std::nullopt;
    }
    return std::move(c.text);
  }
  if (g_utf8_validate(data.data(), static_cast<gssize>(data.size()), nullptr)) return std::string(data);
  return validUtf8(takeGString(g_mime_utils_decode_8bit(parserOptions(), data.data(), data.size())));
}

struct BodyParts {
  GMimePart* plain = nullptr;
  GMimePart* html = nullptr;
};

// The first text/plain and text/html leaves that are not attachments, depth first; a forwarded message
// (message/rfc822) is an attachment of this one and not looked into.
void findBodyParts(GMimeObject* part, BodyParts& parts) {
  BodyParts* b = &parts;
  if (GMIME_IS_MULTIPART(part)) {
    GMimeMultipart* mp = GMIME_MULTIPART(part);
    const int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n && !(b->plain && b->html); ++i) findBodyParts(g_mime_multipart_get_part(mp, i), parts);
    return;
  }
  if (!GMIME_IS_PART(part)) return;
  const char* disposition = g_mime_object_get_disposition(part);
  if (disposition && g_ascii_strcasecmp(disposition, "attachment") == 0) return;
  GMimeContentType* ct = g_mime_object_get_content_type(part);
  if (!ct) return;
  if (!b->plain && g_mime_content_type_is_type(ct, "text", "plain")) b->plain = GMIME_PART(part);
  if (!b->html && g_mime_content_type_is_type(ct, "text", "html")) b->html = GMIME_PART(part);
}

std::string hexKey(const std::string& material) {
  XXH128_hash_t h = XXH3_128bits(material.data(), material.size());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string("hash:") + buf;
}

}  // namespace

bool isOwnAddress(const MessageOptions& options, std::string_view loweredAddress) {
  for (const auto& a : options.ownAddresses) {
    if (a == loweredAddress) return true;
  }
  size_t at = loweredAddress.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = loweredAddress.substr(at + 1);
  for (const auto& d : options.ownDomains) {
    if (domain == d) return true;
    if (domain.size() > d.size() && domain.substr(domain.size() - d.size()) == d &&
        domain[domain.size() - d.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

MessageRecords messageRecords(std::string_view raw, const MessageOptions& options, const std::string& origin) {
  MessageRecords out;
  // One parser and one set of options per thread, reused: the warning callback reports into the warnings of
  // the message being parsed through a thread-local pointer.
  thread_local ParseWarnings* current = nullptr;
  struct ThreadParser {
    GMimeParserOptions* options;
    GMimeParser* parser;
    ThreadParser() : options(g_mime_parser_options_clone(parserOptions())), parser(g_mime_parser_new()) {
      g_mime_parser_options_set_warning_callback(
          options,
          [](gint64 offset, GMimeParserWarning code, const gchar* item, gpointer) {
            if (current) onParserWarning(offset, code, item, current);
          },
          nullptr);
    }
    ~ThreadParser() {
      g_object_unref(parser);  // and the last message's stream it still holds
      g_mime_parser_options_free(options);
    }
  };
  thread_local ThreadParser reused;
  GMimeParser* parser = reused.parser;
  GMimeParserOptions* popts = reused.options;
  ParseWarnings warnings;
  current = &warnings;
  GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  g_mime_parser_init_with_stream(parser, stream.get());
  g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
  GMimeObject* constructed = g_mime_parser_construct_part(parser, popts);
  current = nullptr;
  if (!constructed) {
    out.error = "not a readable RFC 5322 message (no header block)";
    return out;
  }
  Parsed m(constructed);
  std::vector<std::string> problems = warnings.problems;

  AddressField from = addresses(m, "From", problems);
  if (from.parties.empty()) from = addresses(m, "Sender", problems);
  AddressField to = addresses(m, "To", problems);
  AddressField cc = addresses(m, "Cc", problems);
  std::string subject = decodedText(m, "Subject", problems);
  std::string messageId = firstMessageId(m.raw("Message-ID"));

  std::string rawDate = m.raw("Date").value_or("");
  std::optional<std::string> occurredAt = utcIso(rawDate);
  if (!occurredAt) {
    if (!rawDate.empty()) appendProblem(problems, "unreadable Date header '" + validUtf8(rawDate.substr(0, 80)) + "'");
    // Without a usable Date, the newest Received header says when the message arrived.
    if (auto received = m.raw("Received")) {
      size_t semi = received->rfind(';');
      if (semi != std::string::npos) occurredAt = utcIso(trim(received->substr(semi + 1)));
    }
  }

  BodyParts parts;
  findBodyParts(m.object(), parts);
  std::string body;
  bool haveBody = false;
  if (parts.plain) {
    if (auto t = partText(parts.plain, "text/plain", problems)) {
      body = std::move(*t);
      haveBody = true;
    }
  }
  if (!haveBody && parts.html) {
    if (auto t = partText(parts.html, "text/html", problems)) {
      body = htmlToText(*t);
      haveBody = true;
    }
  }

  // A body without any of these headers is not a message one can attribute or date.
  const bool usable = !from.parties.empty() || !subject.empty() || !messageId.empty() || occurredAt.has_value();
  // A message that ends inside its header block (no blank line at all) is a header-only message, as IMAP and
  // some exports hand them out; truncation that matters cuts a body or a multipart.
  const bool hasBody = raw.find("\n\n") != std::string_view::npos || raw.find("\r\n\r\n") != std::string_view::npos;
  if (warnings.truncated && !hasBody) {
    std::erase_if(problems, [](const std::string& p) { return p.rfind("truncated message", 0) == 0; });
  }
  if ((warnings.truncated && hasBody) || warnings.critical || !usable) {
    std::string reason = !usable ? "no readable From, Date, Subject or Message-ID header" : "unreadable message";
    if (!problems.empty()) {
      reason += ": ";
      for (size_t i = 0; i < problems.size(); ++i) reason += (i ? "; " : "") + problems[i];
    }
    out.key = messageId;
    out.error = reason;
    return out;
  }

  if (messageId.empty()) {
    std::string material = from.parties.empty() ? "" : from.parties.front().lowered;
    material += '\0';
    material += occurredAt.value_or(rawDate);
    material += '\0';
    material += subject;
    material += '\0';
    material += collapseAndCut(body, body.size());
    out.key = hexKey(material);
  } else {
    out.key = messageId;
  }

  const Party* sender = from.parties.empty() ? nullptr : &from.parties.front();
  const bool outbound = sender && isOwnAddress(options, sender->lowered);
  const Party* party = nullptr;
  if (!outbound) {
    party = sender;
  } else {
    for (const auto* list : {&to.parties, &cc.parties}) {
      for (const auto& p : *list) {
        if (!party && !isOwnAddress(options, p.lowered)) party = &p;
      }
    }
  }

  std::vector<std::string> customerKeys;
  for (const auto* list : {&from.parties, &to.parties, &cc.parties}) {
    for (const auto& p : *list) {
      if (isOwnAddress(options, p.lowered)) continue;
      std::string key = "email:" + p.lowered;
      if (std::find(customerKeys.begin(), customerKeys.end(), key) != customerKeys.end()) continue;
      customerKeys.push_back(key);
      sdk::Record c;
      c.entity = "customer";
      c.sourceKey = key;
      c.origin = origin;
      if (!p.name.empty() && p.name != p.address) c.set("name", p.name);
      c.set("email", p.address);
      out.records.push_back(std::move(c));
    }
  }

  sdk::Record r;
  r.entity = "interaction";
  r.sourceKey = out.key;
  r.origin = origin;
  auto setIf = [&r](const char* name, const std::string& value) {
    if (!value.empty()) r.set(name, value);
  };
  r.set("channel", "email");
  r.set("direction", outbound ? "out" : "in");
  if (occurredAt) r.set("occurred_at", *occurredAt);
  setIf("subject", subject);
  if (body.size() > kSummaryInputBytes) {
    size_t cut = kSummaryInputBytes;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    body.resize(cut);
  }
  setIf("summary", summarize(body, options.summaryChars));
  if (party) {
    setIf("party_email", party->address);
    if (party->name != party->address) setIf("party_name", party->name);
  }
  // The thread is named by its first message: the root of References, else the message replied to. A message
  // that starts a thread (no reply headers, no Re: prefix) is that root itself, so it shares the key of the
  // replies that reference it. Mail that carries no reply headers but a reply prefix is threaded by subject.
  std::string thread = firstMessageId(m.raw("References"));
  std::string inReplyTo = firstMessageId(m.raw("In-Reply-To"));
  if (thread.empty()) thread = inReplyTo;
  if (thread.empty() && !messageId.empty() && !hasReplyPrefix(subject)) thread = messageId;
  if (thread.empty()) thread = normalizedSubject(subject);
  setIf("thread_key", thread);
  setIf("message_id", messageId);
  setIf("from", from.display);
  setIf("to", to.display);
  setIf("cc", cc.display);
  setIf("in_reply_to", inReplyTo);
  if (!problems.empty()) {
    std::string joined;
    for (size_t i = 0; i < problems.size(); ++i) joined += (i ? "; " : "") + problems[i];
    r.set("decode_errors", joined);
  }
  out.records.push_back(std::move(r));
  return out;
}

MessageEmitter::MessageEmitter(sdk::Host& host, const MessageOptions& options, size_t batchSize)
    : host_(host), options_(options), batchSize_(std::max<size_t>(batchSize, 1)) {
  batch_.reserve(batchSize_ + 8);
}

bool MessageEmitter::add(std::string_view raw, const std::string& origin) {
  return add(messageRecords(raw, options_, origin), raw, origin);
}

bool MessageEmitter::add(MessageRecords&& m, std::string_view raw, const std::string& origin) {
  if (!m.error.empty()) {
    ++rejected_;
    host_.reject(m.key, origin, m.error, validUtf8(raw.substr(0, kRejectedRawBytes)));
    return false;
  }
  ++messages_;
  for (auto& r : m.records) {
    if (r.entity == "customer" && !customersSeen_.insert(r.sourceKey).second) continue;
    if (r.entity == "interaction" && r.find("decode_errors")) ++flagged_;
    batch_.push_back(std::move(r));
  }
  if (batch_.size() >= batchSize_) flush();
  return true;
}

void MessageEmitter::flush() {
  if (batch_.empty()) return;
  host_.emit(batch_);
  batch_.clear();
}

}  // namespace crmsync::email
