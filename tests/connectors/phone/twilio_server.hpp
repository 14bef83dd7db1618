// A loopback HTTP server that answers like Twilio's Calls API: Basic auth (401 with Twilio's error JSON
// otherwise), PageSize, StartTime>= by GMT day, next_page_uri with Page and PageToken, calls newest first,
// and a 429 with Retry-After once when asked to.
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "unit/http/loopback_server.hpp"

namespace crmsync::phone::testing {

class TwilioServer {
 public:
  static constexpr const char* kAccount = "AC0123456789abcdef0123456789abcdef";
  static constexpr const char* kToken = "tw-secret-7f3a9c";

  TwilioServer();
  std::string baseUrl() const { return server_.url(""); }

  /// Adds or replaces (by sid) a call. start is "YYYY-MM-DD HH:MM:SS" GMT.
  void putCall(const std::string& sid, const std::string& from, const std::string& to, const std::string& direction,
               const std::string& status, const std::string& start, const std::string& duration,
               const std::string& updated);
  /// Adds a raw call object as it is (for malformed ones).
  void putRaw(nlohmann::json call);
  /// The next request for a page after the first answers 429 with Retry-After: 1.
  void throttleOnce() { throttle_ = true; }

  struct Seen {
    std::string path;
    std::string query;  // as received, still encoded
    int status;
  };
  std::vector<Seen> requests() const;

 private:
  void handle(const httplib::Request& req, httplib::Response& res);

  mutable std::mutex mu_;
  std::vector<nlohmann::json> calls_;  // newest start first
  bool throttle_ = false;
  std::vector<Seen> seen_;
  http::testing::LoopbackServer server_;
};

}  // namespace crmsync::phone::testing
