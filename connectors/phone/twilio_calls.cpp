#include "twilio_calls.hpp"

#include "timestamps.hpp"

#include <nlohmann/json.hpp>

namespace crmsync::phone {
namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A string member, or "" when it is absent, null or not a string.
std::string text(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string outcomeOfStatus(const std::string& status) {
  if (status == "completed") return "answered";
  if (status == "no-answer") return "no_answer";
  if (status == "in-progress") return "in_progress";
  if (status == "busy" || status == "failed" || status == "canceled" || status == "queued" || status == "ringing") {
    return status;
  }
  return "";
}

std::string shortBody(const std::string& body) {
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

}  // namespace

std::optional<TwilioCursor> TwilioCursor::parse(const std::string& text, std::string* problem) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || j.value("format", "") != "twilio") {
    if (problem) *problem = "the stored cursor is not a Twilio cursor";
    return std::nullopt;
  }
  TwilioCursor c;
  c.account = j.value("account", "");
  if (j.contains("newest_start") && j["newest_start"].is_string()) {
    c.newestStart = parseIsoUtc(j["newest_start"].get<std::string>());
    if (!c.newestStart) {
      if (problem) *problem = "the stored cursor's newest_start is not an ISO 8601 UTC time";
      return std::nullopt;
    }
  }
  return c;
}

std::string TwilioCursor::toJson() const {
  nlohmann::json j = {{"version", 1}, {"format", "twilio"}, {"account", account}};
  if (newestStart) j["newest_start"] = formatIsoUtc(*newestStart);
  return j.dump();
}

std::string TwilioCalls::firstPageUrl(const std::optional<TwilioCursor>& cursor) const {
  std::string url = settings_.baseUrl + "/2010-04-01/Accounts/" + settings_.accountSid +
                    "/Calls.json?PageSize=" + std::to_string(settings_.pageSize);
  if (cursor && cursor->newestStart) {
    int64_t since = *cursor->newestStart - static_cast<int64_t>(settings_.overlapDays) * 86400;
    url += "&StartTime%3E=" + formatUtcDate(since);  // the parameter is "StartTime>", day granularity, GMT
  }
  return url;
}

bool TwilioCalls::addCall(sdk::Host& host, CallRecords& records, const InternalParties& internal,
                          const nlohmann::json& call, const std::string& pageUrl, size_t index,
                          std::optional<int64_t>& newestStart) {
  std::string where = pageUrl + " calls[" + std::to_string(index) + "]";
  if (!call.is_object()) {
    host.reject("", where, "call is not a JSON object", call.dump());
    return false;
  }
  std::string sid = text(call, "sid");
  if (sid.empty()) {
    host.reject("", where, "call has no sid", call.dump());
    return false;
  }
  std::string origin = settings_.baseUrl + "/2010-04-01/Accounts/" + settings_.accountSid + "/Calls/" + sid + ".json";
  std::string startText = text(call, "start_time");
  std::optional<int64_t> start;
  if (!startText.empty()) {
    start = parseRfc2822(startText);
    if (!start) {
      host.reject(sid, origin, "unparseable start_time '" + startText + "' (expected RFC 2822)", call.dump());
      return false;
    }
  } else {
    std::string created = text(call, "date_created");
    if (!created.empty()) start = parseRfc2822(created);
  }
  std::optional<int64_t> updated;
  if (std::string u = text(call, "date_updated"); !u.empty()) updated = parseRfc2822(u);

  std::string twilioDirection = text(call, "direction");
  std::string from = text(call, "from");
  std::string to = text(call, "to");
  std::string status = text(call, "status");
  // Elastic SIP Trunking calls are trunking-terminating (from the PSTN into our trunk) or trunking-originating.
  bool inbound = twilioDirection == "inbound" || twilioDirection == "trunking-terminating";
  CallSides sides = decideSides(internal, from, text(call, "caller_name"), to, "", inbound ? "in" : "out");

  sdk::Record r;
  r.entity = "interaction";
  r.sourceKey = sid;
  r.origin = origin;
  if (updated) r.updatedAt = formatIsoUtc(*updated);
  r.set("channel", "phone");
  if (!sides.direction.empty()) r.set("direction", sides.direction);
  if (start) r.set("occurred_at", formatIsoUtc(*start));
  if (call.contains("duration")) {
    const auto& d = call["duration"];
    if (d.is_string() && !d.get<std::string>().empty()) r.set("duration_s", d.get<std::string>());
    if (d.is_number_integer()) r.set("duration_s", std::to_string(d.get<int64_t>()));
  }
  if (std::string o = outcomeOfStatus(status); !o.empty()) r.set("outcome", o);
  if (!sides.partyPhone.empty()) r.set("party_phone", sides.partyPhone);
  if (!sides.partyName.empty()) r.set("party_name", sides.partyName);
  r.set("source", "twilio");
  r.set("sid", sid);
  for (const char* name : {"parent_call_sid", "from", "to", "status", "price", "price_unit", "answered_by",
                           "forwarded_from"}) {
    if (std::string v = text(call, name); !v.empty()) r.set(name, v);
  }
  if (!twilioDirection.empty()) r.set("twilio_direction", twilioDirection);
  if (std::string e = text(call, "end_time"); !e.empty()) {
    if (auto t = parseRfc2822(e)) r.set("ended_at", formatIsoUtc(*t));
  }
  records.addInteraction(std::move(r), sides);
  if (!startText.empty() && start && (!newestStart || *start > *newestStart)) newestStart = start;
  return true;
}

void TwilioCalls::read(sdk::Host& host, CallRecords& records, const InternalParties& internal) {
  std::optional<TwilioCursor> cursor;
  if (auto c = host.cursor()) {
    std::string problem;
    cursor = TwilioCursor::parse(*c, &problem);
    if (!cursor) {
      host.warn("twilio: " + problem + "; reading every call");
    } else if (cursor->account != settings_.accountSid) {
      host.info("twilio: the stored cursor is for another account; reading every call");
      cursor.reset();
    }
  }
  std::optional<int64_t> newestStart = cursor ? cursor->newestStart : std::nullopt;
  std::string authorization = "Basic " + base64(settings_.accountSid + ":" + settings_.authToken);
  std::string url = firstPageUrl(cursor);
  size_t pages = 0;
  size_t calls = 0;
  for (;;) {
    if (host.cancelled()) throw sdk::Error(CRMSYNC_ERR_CANCELLED, "twilio: cancelled");
    sdk::HttpRequest req;
    req.url = url;
    req.headers = {{"Authorization", authorization}, {"Accept", "application/json"}};
    sdk::HttpResponse res = host.http(req);
    ++pages;
    if (res.status == 401 || res.status == 403) {
      std::string detail;
      auto err = nlohmann::json::parse(res.body, nullptr, false);
      if (err.is_object()) {
        if (err.contains("code") && err["code"].is_number()) detail += ", Twilio error " + std::to_string(err["code"].get<int64_t>());
        if (std::string m = text(err, "message"); !m.empty()) detail += ": " + m;
      }
      throw sdk::Error(CRMSYNC_ERR_AUTH, "twilio: the Calls API at " + settings_.baseUrl + " refused the credentials of account " +
                                             settings_.accountSid + " (HTTP " + std::to_string(res.status) + detail +
                                             "); check account_sid and auth_token");
    }
    if (res.status < 200 || res.status >= 300) {
      throw sdk::Error(CRMSYNC_ERR_IO, "twilio: GET " + url + " answered HTTP " + std::to_string(res.status) + ": " +
                                           shortBody(res.body));
    }
    auto page = nlohmann::json::parse(res.body, nullptr, false);
    if (page.is_discarded() || !page.is_object() || !page.contains("calls") || !page["calls"].is_array()) {
      throw sdk::Error(CRMSYNC_ERR_DATA, "twilio: GET " + url + " did not answer a Calls page (a JSON object with a "
                                         "'calls' array): " + shortBody(res.body));
    }
    const auto& list = page["calls"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (addCall(host, records, internal, list[i], url, i, newestStart)) ++calls;
    }
    std::string next = text(page, "next_page_uri");
    if (next.empty()) break;
    // Relative, as Twilio writes it; an absolute URL elsewhere would carry the credentials to another host.
    if (next.starts_with("/")) {
      url = settings_.baseUrl + next;
    } else if (next.starts_with(settings_.baseUrl + "/")) {
      url = next;
    } else {
      throw sdk::Error(CRMSYNC_ERR_DATA, "twilio: next_page_uri '" + next + "' of " + url + " is not under base_url " +
                                             settings_.baseUrl);
    }
  }
  records.flush();
  TwilioCursor out;
  out.account = settings_.accountSid;
  out.newestStart = newestStart;
  host.setCursor(out.toJson());
  host.info("twilio: " + std::to_string(calls) + " calls in " + std::to_string(pages) + " pages");
}

}  // namespace crmsync::phone
