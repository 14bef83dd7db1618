#include "crmsync/store/store.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "store/database_url.hpp"
#include "store/sql_store.hpp"

namespace crmsync::store {

Result<std::unique_ptr<Store>> Store::open(const std::string& url) {
  ASSIGN_OR_RETURN(DatabaseTarget target, parseDatabaseUrl(url));
  return SqlStore::connect(std::move(target));
}

Store::~Store() = default;

RunTransaction::~RunTransaction() = default;

std::string nowIso8601() {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace crmsync::store
