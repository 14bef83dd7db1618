#include "crmsync/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace crmsync::log {
namespace {

// One JSON object per line, so log shippers need no parsing rules.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    std::time_t t = static_cast<std::time_t>(secs / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(secs % 1000));
    nlohmann::json j;
    j["time"] = stamp;
    auto level = spdlog::level::to_string_view(msg.level);
    j["level"] = std::string(level.data(), level.size());
    j["message"] = std::string(msg.payload.data(), msg.payload.size());
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

bool parseFormat(const std::string& text, Format& out) {
  if (text == "text") {
    out = Format::kText;
    return true;
  }
  if (text == "json") {
    out = Format::kJson;
    return true;
  }
  return false;
}

void init(Format format, bool quiet, bool verbose) {
  spdlog::drop("crmsync");
  auto logger = spdlog::stderr_color_mt("crmsync");
  if (format == Format::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  logger->set_level(quiet ? spdlog::level::warn : (verbose ? spdlog::level::debug : spdlog::level::info));
  spdlog::set_default_logger(logger);
}

}  // namespace crmsync::log
