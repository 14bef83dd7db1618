#include "source_options.hpp"

#include <glib.h>

namespace crmsync::email {
namespace {

std::string lowerTrimmed(std::string s) {
  while (!s.empty() && g_ascii_isspace(s.back())) s.pop_back();
  size_t start = 0;
  while (start < s.size() && g_ascii_isspace(s[start])) ++start;
  s.erase(0, start);
  for (char& c : s) c = static_cast<char>(g_ascii_tolower(c));
  return s;
}

}  // namespace

SourceOptions SourceOptions::fromConfig(const sdk::Config& config, const sdk::Host& host) {
  SourceOptions o;
  o.path = config.get<std::string>("path", "");
  const std::string format = lowerTrimmed(config.get<std::string>("format", "auto"));
  if (format == "auto") o.format = MailboxFormat::Auto;
  else if (format == "mbox") o.format = MailboxFormat::Mbox;
  else if (format == "maildir") o.format = MailboxFormat::Maildir;
  else if (format == "eml") o.format = MailboxFormat::Eml;
  else if (format == "imap") o.format = MailboxFormat::Imap;
  else throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'format': '" + format + "' is not one of auto, mbox, maildir, eml, imap");

  o.imap.url = config.get<std::string>("url", "");
  if (o.format == MailboxFormat::Auto && !o.imap.url.empty()) o.format = MailboxFormat::Imap;
  if (o.format == MailboxFormat::Imap) {
    if (!o.path.empty()) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config keys 'path' and 'url' are both set: an email source reads one "
                                           "mailbox, a file or folder (path) or an IMAP mailbox (url)");
    }
    const std::string scheme = lowerTrimmed(o.imap.url.substr(0, o.imap.url.find("://")));
    if (o.imap.url.find("://") == std::string::npos || (scheme != "imap" && scheme != "imaps")) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'url': write imaps://host:993/INBOX (or imap://host:143/INBOX)");
    }
    o.imap.username = config.get<std::string>("username", "");
    if (o.imap.username.empty()) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'username' is not set (IMAP login)");
    o.imap.password = config.get<std::string>("password", "");
    if (o.imap.password.rfind("${", 0) == 0 && o.imap.password.back() == '}') {
      try {
        o.imap.password = host.secret(o.imap.password);
      } catch (const sdk::Error&) {
        throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'password': the secret reference could not be resolved");
      }
    }
    if (o.imap.password.empty()) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'password' is not set: write ${env:NAME} or ${file:PATH}");
    }
    o.imap.caBundle = config.get<std::string>("ca_bundle", "");
    o.imap.insecure = config.get<bool>("insecure", false);
    const long long connect = config.get<long long>("connect_timeout_s", 30);
    const long long total = config.get<long long>("timeout_s", 300);
    if (connect < 1 || connect > 3600) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'connect_timeout_s': " + std::to_string(connect) + " is not between 1 and 3600");
    }
    if (total < 1 || total > 86400) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'timeout_s': " + std::to_string(total) + " is not between 1 and 86400");
    }
    o.imap.connectTimeoutS = static_cast<long>(connect);
    o.imap.timeoutS = static_cast<long>(total);
  } else if (o.path.empty()) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'path' is not set: name an mbox file, a Maildir or a folder of "
                                         ".eml files (or set url for an IMAP mailbox)");
  } else if (!o.imap.url.empty()) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'url' is set but format is not imap or auto");
  }

  const std::string quoting = lowerTrimmed(config.get<std::string>("mbox_quoting", "mboxrd"));
  if (quoting == "mboxrd") o.quoting = MboxQuoting::Mboxrd;
  else if (quoting == "mboxo") o.quoting = MboxQuoting::Mboxo;
  else throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'mbox_quoting': '" + quoting + "' is not one of mboxrd, mboxo");

  for (auto& a : config.get<std::vector<std::string>>("own_addresses", {})) {
    std::string l = lowerTrimmed(a);
    if (l.find('@') == std::string::npos || l.front() == '@' || l.back() == '@') {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'own_addresses': '" + a + "' is not an e-mail address");
    }
    o.message.ownAddresses.push_back(l);
  }
  for (auto& d : config.get<std::vector<std::string>>("own_domains", {})) {
    std::string l = lowerTrimmed(d);
    if (!l.empty() && l.front() == '@') l.erase(0, 1);
    if (l.empty() || l.find('@') != std::string::npos || l.find('.') == std::string::npos) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'own_domains': '" + d + "' is not a domain such as example.com");
    }
    o.message.ownDomains.push_back(l);
  }
  const long long chars = config.get<long long>("summary_chars", 280);
  if (chars < 1 || chars > 100000) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'summary_chars': " + std::to_string(chars) + " is not between 1 and 100000");
  }
  o.message.summaryChars = static_cast<size_t>(chars);
  const long long batch = config.get<long long>("batch_size", 1024);
  if (batch < 1 || batch > 1000000) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'batch_size': " + std::to_string(batch) + " is not between 1 and 1000000");
  }
  o.batchSize = static_cast<size_t>(batch);
  const long long threads = config.get<long long>("threads", 0);
  if (threads < 0 || threads > 256) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'threads': " + std::to_string(threads) + " is not between 0 and 256");
  }
  o.threads = static_cast<size_t>(threads);
  return o;
}

}  // namespace crmsync::email
