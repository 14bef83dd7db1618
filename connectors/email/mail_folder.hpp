// Mailboxes that keep one message per file: Maildir (cur/ and new/) and a folder of .eml files, with the
// cursor that lets a run read only the files delivered since the last one.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::email {

struct MailFile {
  std::string path;
  std::string id;  // Maildir: the unique part of the name (before ":2,"); .eml folder: the path under the folder
  int64_t mtimeNs = 0;
};

/// The message files of a Maildir (cur/ and new/; tmp/ and dot files skipped), ordered by (mtime, id).
/// Throws sdk::Error(CRMSYNC_ERR_IO) when dir cannot be listed.
std::vector<MailFile> listMaildir(const std::string& dir);
/// Every *.eml file under dir (subfolders too), ordered by (mtime, id).
std::vector<MailFile> listEmlFolder(const std::string& dir);
/// True when dir has a cur/ or new/ subfolder.
bool looksLikeMaildir(const std::string& dir);
/// The unique part of a Maildir file name: flags (":2,S", "!2,S") change the name but not this.
std::string maildirId(std::string_view fileName);

/// Which files a folder run has read: the newest modification time seen, and the ids of every file whose
/// modification time lies within kWindowNs of it (a message delivered a little late, with an mtime just before
/// the newest one, is still found). Files older than that window are taken as read.
struct FolderCursor {
  static constexpr int64_t kWindowNs = 10'000'000'000;  // 10 s
  std::string kind;  // "maildir" or "eml"
  int64_t newestNs = INT64_MIN;
  std::set<std::string> recent;

  /// Files of `listing` this cursor has not seen, in listing order.
  std::vector<const MailFile*> unseen(const std::vector<MailFile>& listing) const;
  /// The cursor after every file of `listing` has been read.
  static FolderCursor after(std::string kind, const std::vector<MailFile>& listing, const FolderCursor& before);
  std::string text() const;
  static std::optional<FolderCursor> parse(std::string_view text);  // nullopt: not a folder cursor
};

}  // namespace crmsync::email
