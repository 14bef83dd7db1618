#include "mail_folder.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace crmsync::email {
namespace fs = std::filesystem;
namespace {

int64_t mtimeNs(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return INT64_MIN;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

void sortListing(std::vector<MailFile>& files) {
  std::sort(files.begin(), files.end(), [](const MailFile& a, const MailFile& b) {
    return a.mtimeNs != b.mtimeNs ? a.mtimeNs < b.mtimeNs : a.id < b.id;
  });
}

bool endsWithEml(const std::string& name) {
  if (name.size() < 4) return false;
  std::string ext = name.substr(name.size() - 4);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".eml";
}

}  // namespace

std::string maildirId(std::string_view fileName) {
  size_t cut = fileName.find(":2,");
  if (cut == std::string_view::npos) cut = fileName.find("!2,");
  if (cut == std::string_view::npos) cut = fileName.find(':');
  return std::string(fileName.substr(0, cut));
}

bool looksLikeMaildir(const std::string& dir) {
  std::error_code ec;
  return fs::is_directory(fs::path(dir) / "cur", ec) || fs::is_directory(fs::path(dir) / "new", ec);
}

std::vector<MailFile> listMaildir(const std::string& dir) {
  std::vector<MailFile> out;
  for (const char* sub : {"new", "cur"}) {
    fs::path p = fs::path(dir) / sub;
    std::error_code ec;
    if (!fs::is_directory(p, ec)) continue;
    fs::directory_iterator it(p, ec);
    if (ec) throw sdk::Error(CRMSYNC_ERR_IO, "cannot list Maildir folder " + p.string() + ": " + ec.message());
    for (const auto& entry : it) {
      std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::error_code fe;
      if (!entry.is_regular_file(fe)) continue;
      int64_t m = mtimeNs(entry.path());
      if (m == INT64_MIN) continue;  // moved between listing and stat (new/ to cur/): found under cur/
      out.push_back({entry.path().string(), maildirId(name), m});
    }
  }
  sortListing(out);
  // A message moved from new/ to cur/ while listing shows up twice: keep one.
  std::vector<MailFile> unique;
  std::set<std::string> ids;
  for (auto& f : out) {
    if (ids.insert(f.id).second) unique.push_back(std::move(f));
  }
  return unique;
}

std::vector<MailFile> listEmlFolder(const std::string& dir) {
  std::vector<MailFile> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw sdk::Error(CRMSYNC_ERR_IO, "cannot list folder " + dir + ": " + ec.message());
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) throw sdk::Error(CRMSYNC_ERR_IO, "cannot list folder " + dir + ": " + ec.message());
    std::error_code fe;
    if (!it->is_regular_file(fe) || !endsWithEml(it->path().filename().string())) continue;
    int64_t m = mtimeNs(it->path());
    if (m == INT64_MIN) continue;
    out.push_back({it->path().string(), fs::relative(it->path(), dir, fe).generic_string(), m});
  }
  sortListing(out);
  return out;
}

std::vector<const MailFile*> FolderCursor::unseen(const std::vector<MailFile>& listing) const {
  std::vector<const MailFile*> out;
  for (const auto& f : listing) {
    if (newestNs != INT64_MIN && f.mtimeNs < newestNs - kWindowNs) continue;
    if (recent.count(f.id)) continue;
    out.push_back(&f);
  }
  return out;
}

FolderCursor FolderCursor::after(std::string kind, const std::vector<MailFile>& listing, const FolderCursor& before) {
  FolderCursor c;
  c.kind = std::move(kind);
  c.newestNs = before.newestNs;
  for (const auto& f : listing) c.newestNs = std::max(c.newestNs, f.mtimeNs);
  for (const auto& f : listing) {
    if (f.mtimeNs >= c.newestNs - kWindowNs) c.recent.insert(f.id);
  }
  return c;
}

std::string FolderCursor::text() const {
  nlohmann::json j{{"kind", kind}, {"newest_mtime_ns", newestNs}, {"recent", recent}};
  return j.dump();
}

std::optional<FolderCursor> FolderCursor::parse(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  std::string kind = j.value("kind", "");
  if ((kind != "maildir" && kind != "eml") || !j.contains("newest_mtime_ns") ||
      !j["newest_mtime_ns"].is_number_integer() || !j.contains("recent") || !j["recent"].is_array()) {
    return std::nullopt;
  }
  FolderCursor c;
  c.kind = kind;
  c.newestNs = j["newest_mtime_ns"].get<int64_t>();
  for (const auto& id : j["recent"]) {
    if (!id.is_string()) return std::nullopt;
    c.recent.insert(id.get<std::string>());
  }
  return c;
}

}  // namespace crmsync::email
