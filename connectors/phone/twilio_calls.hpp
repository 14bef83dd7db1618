// Twilio's Calls API (GET /2010-04-01/Accounts/{AccountSid}/Calls.json) through the engine's HTTP service:
// Basic auth, next_page_uri paging, a StartTime>= filter that re-reads an overlap window before the newest call
// seen, and one interaction per call sid (a re-read call that changed, say from in-progress to completed,
// updates its record; an unchanged one is skipped by the engine).
#pragma once

#include "call_records.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace crmsync::phone {

struct TwilioSettings {
  std::string baseUrl = "https://api.twilio.com";
  std::string accountSid;
  std::string authToken;
  int pageSize = 100;
  int overlapDays = 2;
};

/// The cursor: the newest start_time among the calls read so far, as
///   {"version":1,"format":"twilio","account":"AC…","newest_start":"2024-05-01T08:12:44Z"}
struct TwilioCursor {
  std::string account;
  std::optional<int64_t> newestStart;
  static std::optional<TwilioCursor> parse(const std::string& text, std::string* problem);
  std::string toJson() const;
};

class TwilioCalls {
 public:
  explicit TwilioCalls(TwilioSettings settings) : settings_(std::move(settings)) {}

  /// Reads every page since the cursor's newest start time less the overlap, adds each call to `records` and
  /// stages the new cursor. Throws sdk::Error(CRMSYNC_ERR_AUTH) when Twilio refuses the credentials, with a
  /// message that names the account and base URL, never the token.
  void read(sdk::Host& host, CallRecords& records, const InternalParties& internal);

  /// The first page's URL for a cursor (exposed for tests).
  std::string firstPageUrl(const std::optional<TwilioCursor>& cursor) const;

 private:
  /// One call object: true when it became an interaction (or was skipped as internal), false when rejected.
  bool addCall(sdk::Host& host, CallRecords& records, const InternalParties& internal, const nlohmann::json& call,
               const std::string& pageUrl, size_t index, std::optional<int64_t>& newestStart);

  TwilioSettings settings_;
};

}  // namespace crmsync::phone
