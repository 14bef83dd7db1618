#include "store/sqlite_create.hpp"

#include <fcntl.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "store/schema.hpp"

namespace crmsync::store {
namespace {

// Removes the temporary database and whatever SQLite left beside it.
void removeAll(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

bool syncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string uniqueSuffix() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".new-%d-%08x", static_cast<int>(::getpid()), rd());
  return buf;
}

}  // namespace

void createSqliteIfMissing(const DatabaseTarget& target, const std::function<void(soci::session&)>& configure) {
  const std::string& path = target.path;
  if (path.empty() || path[0] == ':' || path.compare(0, 5, "file:") == 0) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 || errno != ENOENT) return;

  const std::string tmp = path + uniqueSuffix();
  // soci's sqlite3 backend reads a string with '=' as key=value pairs (see database_url.cpp).
  const std::string connect = tmp.find('=') == std::string::npos ? tmp : "db=\"" + tmp + "\"";
  auto giveUp = [&](const std::string& why) {
    removeAll(tmp);
    spdlog::debug("creating {} in place: {}", path, why);
  };
  try {
    soci::session sql(soci::sqlite3, connect);
    // Nothing needs to be durable before the sync below, and a crash leaves only the temporary file. Set
    // before configure() switches the file to WAL and again after, as configure() sets its own level.
    sql << "PRAGMA synchronous = OFF";
    configure(sql);
    sql << "PRAGMA synchronous = OFF";
    auto version = migrate(sql, Backend::kSqlite);
    if (!version.isOk()) return giveUp(version.status().message());
    sql.close();  // checkpoints: the temporary file holds everything, its -wal is gone
  } catch (const std::exception& e) {
    return giveUp(e.what());
  }
  if (!syncPath(tmp, O_RDONLY)) return giveUp(std::string("sync: ") + std::strerror(errno));
  // In one step where the file system can, so that no second name of the live database is ever left behind;
  // else a hard link and an unlink do the same in two.
  int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    rc = ::link(tmp.c_str(), path.c_str());
    if (rc == 0) ::unlink(tmp.c_str());
  }
  if (rc != 0) {
    // EEXIST: another process created the database meanwhile, and the ordinary open uses theirs.
    return giveUp(std::string("moving it into place: ") + std::strerror(errno));
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!syncPath(dir.empty() ? std::string(".") : dir.string(), O_RDONLY | O_DIRECTORY)) {
    spdlog::debug("syncing the directory of {}: {}", path, std::strerror(errno));
  }
}

}  // namespace crmsync::store
