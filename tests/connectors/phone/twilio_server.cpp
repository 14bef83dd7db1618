#include "twilio_server.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace crmsync::phone::testing {
namespace {

// "2024-05-01 09:00:00" -> "Wed, 01 May 2024 09:00:00 +0000", as Twilio writes dates.
std::string rfc2822(const std::string& gmt) {
  std::tm tm{};
  std::sscanf(gmt.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
              &tm.tm_sec);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &out);
  return buf;
}

// base64("AC0123456789abcdef0123456789abcdef:tw-secret-7f3a9c"), computed with coreutils' base64.
const char* kExpectedAuthorization = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0dy1zZWNyZXQtN2YzYTlj";

}  // namespace

TwilioServer::TwilioServer() {
  server_.server.Get(R"(/2010-04-01/Accounts/([^/]+)/Calls\.json)",
                     [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
  server_.start();
}

void TwilioServer::putCall(const std::string& sid, const std::string& from, const std::string& to,
                           const std::string& direction, const std::string& status, const std::string& start,
                           const std::string& duration, const std::string& updated) {
  nlohmann::json c = {{"sid", sid},
                      {"account_sid", kAccount},
                      {"parent_call_sid", nullptr},
                      {"from", from},
                      {"from_formatted", from},
                      {"to", to},
                      {"to_formatted", to},
                      {"direction", direction},
                      {"status", status},
                      {"start_time", rfc2822(start)},
                      {"end_time", status == "completed" ? nlohmann::json(rfc2822(start)) : nlohmann::json(nullptr)},
                      {"date_created", rfc2822(start)},
                      {"date_updated", rfc2822(updated)},
                      {"duration", duration.empty() ? nlohmann::json(nullptr) : nlohmann::json(duration)},
                      {"price", nullptr},
                      {"price_unit", "USD"},
                      {"caller_name", nullptr},
                      {"answered_by", nullptr},
                      {"forwarded_from", nullptr},
                      {"uri", std::string("/2010-04-01/Accounts/") + kAccount + "/Calls/" + sid + ".json"},
                      {"_start_gmt", start}};
  std::lock_guard<std::mutex> lock(mu_);
  calls_.erase(std::remove_if(calls_.begin(), calls_.end(), [&](const nlohmann::json& x) { return x["sid"] == sid; }),
               calls_.end());
  calls_.push_back(std::move(c));
  std::sort(calls_.begin(), calls_.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("_start_gmt", "") > b.value("_start_gmt", "");
  });
}

void TwilioServer::putRaw(nlohmann::json call) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(std::move(call));
}

std::vector<TwilioServer::Seen> TwilioServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

void TwilioServer::handle(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string query;
  if (auto q = req.target.find('?'); q != std::string::npos) query = req.target.substr(q + 1);
  auto answer = [&](int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
    seen_.push_back({req.path, query, status});
  };
  bool authorized = req.get_header_value("Authorization") == kExpectedAuthorization && req.matches[1] == kAccount;
  if (!authorized) {
    answer(401, {{"code", 20003},
                 {"message", "Authenticate"},
                 {"more_info", "https://www.twilio.com/docs/errors/20003"},
                 {"status", 401}});
    return;
  }
  int pageSize = req.has_param("PageSize") ? std::stoi(req.get_param_value("PageSize")) : 50;
  int page = req.has_param("Page") ? std::stoi(req.get_param_value("Page")) : 0;
  std::string since = req.has_param("StartTime>") ? req.get_param_value("StartTime>") : "";
  std::vector<const nlohmann::json*> matching;
  for (const auto& c : calls_) {
    std::string start = c.value("_start_gmt", "");
    if (since.empty() || start.substr(0, 10) >= since) matching.push_back(&c);
  }
  if (page > 0) {
    // Twilio refuses a Page without the PageToken it handed out for it.
    std::string token = req.has_param("PageToken") ? req.get_param_value("PageToken") : "";
    if (token != "PA" + std::to_string(page) + "x" + std::to_string(pageSize)) {
      answer(400, {{"code", 20001}, {"message", "Invalid PageToken"}, {"status", 400}});
      return;
    }
    if (throttle_) {
      throttle_ = false;
      res.set_header("Retry-After", "1");
      answer(429, {{"code", 20429}, {"message", "Too Many Requests"}, {"status", 429}});
      return;
    }
  }
  nlohmann::json list = nlohmann::json::array();
  size_t first = static_cast<size_t>(page) * static_cast<size_t>(pageSize);
  for (size_t i = first; i < matching.size() && i < first + static_cast<size_t>(pageSize); ++i) {
    nlohmann::json c = *matching[i];
    c.erase("_start_gmt");
    list.push_back(std::move(c));
  }
  std::string base = std::string("/2010-04-01/Accounts/") + kAccount + "/Calls.json?PageSize=" + std::to_string(pageSize) +
                     (since.empty() ? "" : "&StartTime%3E=" + since);
  nlohmann::json next = nullptr;
  if (first + static_cast<size_t>(pageSize) < matching.size()) {
    next = base + "&Page=" + std::to_string(page + 1) + "&PageToken=PA" + std::to_string(page + 1) + "x" +
           std::to_string(pageSize);
  }
  answer(200, {{"calls", list},
               {"first_page_uri", base + "&Page=0"},
               {"next_page_uri", next},
               {"previous_page_uri", nullptr},
               {"page", page},
               {"page_size", pageSize},
               {"start", first},
               {"end", first + list.size() - (list.empty() ? 0 : 1)},
               {"uri", req.target}});
}

}  // namespace crmsync::phone::testing
