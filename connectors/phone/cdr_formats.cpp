#include "cdr_formats.hpp"

#include "parties.hpp"

#include <xxhash.h>

#include <charconv>
#include <cstdio>

namespace crmsync::phone {
namespace {

std::optional<int64_t> parseInteger(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

// A key for rows that carry no id of their own (16-column Master.csv): the same row gives the same key on
// every run, so a re-read row updates its call instead of adding one.
std::string rowHashKey(const std::vector<std::string_view>& fields) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (auto f : fields) {
    XXH3_64bits_update(state, f.data(), f.size());
    XXH3_64bits_update(state, "\x1f", 1);
  }
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  char buf[24];
  std::snprintf(buf, sizeof buf, "row-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Outcome outcomeOfDisposition(std::string_view d) {
  if (d == "ANSWERED") return Outcome::Answered;
  if (d == "NO ANSWER") return Outcome::NoAnswer;
  if (d == "BUSY") return Outcome::Busy;
  if (d == "FAILED" || d == "CONGESTION") return Outcome::Failed;
  return Outcome::Unknown;
}

struct TimeField {
  const char* name;
  std::string_view text;
};

std::optional<std::string> localTime(LocalTimeZone& zone, TimeField f, int64_t& out) {
  auto t = zone.toEpoch(f.text);
  if (!t) return "unparseable timestamp in " + std::string(f.name) + ": " + quoted(f.text) + " (expected YYYY-MM-DD HH:MM:SS)";
  out = *t;
  return std::nullopt;
}

std::optional<std::string> integerField(const char* name, std::string_view text, int64_t& out) {
  auto v = parseInteger(text);
  if (!v || *v < 0) return std::string(name) + " is not a whole number of seconds: " + quoted(text);
  out = *v;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> AsteriskLayout::parse(const std::vector<std::string_view>& f, LocalTimeZone& zone,
                                                 Leg& leg, std::string* key) const {
  size_t n = f.size();
  if (columns_ != 0 ? n != static_cast<size_t>(columns_) : (n != 16 && n != 17 && n != 18 && n != 21)) {
    return "wrong column count: " + std::to_string(n) + " fields, expected " +
           (columns_ != 0 ? std::to_string(columns_) : std::string("16, 17, 18 or 21"));
  }
  leg.uniqueId = n >= 17 ? std::string(f[16]) : std::string();
  std::string linkedId = n == 21 ? std::string(f[19]) : std::string();
  leg.key = !linkedId.empty() ? linkedId : !leg.uniqueId.empty() ? leg.uniqueId : rowHashKey(f);
  if (key) *key = leg.key;
  leg.originating = linkedId.empty() || linkedId == leg.uniqueId;
  leg.accountCode = std::string(f[0]);
  leg.src = std::string(f[1]);
  leg.dst = std::string(f[2]);
  leg.context = std::string(f[3]);
  std::string clidNumber;
  leg.callerName = clidName(f[4], &clidNumber);
  if (leg.src.empty()) leg.src = clidNumber;
  leg.channel = std::string(f[5]);
  leg.dstChannel = std::string(f[6]);
  if (auto e = localTime(zone, {"start", f[9]}, leg.start)) return e;
  leg.answer.reset();
  if (!f[10].empty()) {
    int64_t a = 0;
    if (auto e = localTime(zone, {"answer", f[10]}, a)) return e;
    leg.answer = a;
  }
  if (auto e = localTime(zone, {"end", f[11]}, leg.end)) return e;
  if (auto e = integerField("duration", f[12], leg.duration)) return e;
  if (auto e = integerField("billsec", f[13], leg.billsec)) return e;
  leg.disposition = std::string(f[14]);
  leg.outcome = outcomeOfDisposition(f[14]);
  return std::nullopt;
}

std::vector<std::string> FreeswitchLayout::defaultTemplate() {
  return {"caller_id_name", "caller_id_number", "destination_number", "context",    "start_stamp",
          "answer_stamp",   "end_stamp",        "duration",           "billsec",    "hangup_cause",
          "uuid",           "bleg_uuid",        "accountcode",        "read_codec", "write_codec"};
}

std::optional<FreeswitchLayout> FreeswitchLayout::create(const std::vector<std::string>& names, std::string* problem) {
  FreeswitchLayout l;
  l.columns_ = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    std::string_view name = names[i];
    if (name.starts_with("${") && name.ends_with("}")) name = name.substr(2, name.size() - 3);
    int idx = static_cast<int>(i);
    struct Slot {
      std::string_view name;
      int* column;
    } slots[] = {{"caller_id_name", &l.callerIdName_}, {"caller_id_number", &l.callerIdNumber_},
                 {"destination_number", &l.destination_}, {"context", &l.context_},
                 {"start_stamp", &l.startStamp_},       {"answer_stamp", &l.answerStamp_},
                 {"end_stamp", &l.endStamp_},           {"start_epoch", &l.startEpoch_},
                 {"answer_epoch", &l.answerEpoch_},     {"end_epoch", &l.endEpoch_},
                 {"duration", &l.duration_},            {"billsec", &l.billsec_},
                 {"hangup_cause", &l.hangupCause_},     {"uuid", &l.uuid_},
                 {"call_uuid", &l.callUuid_},           {"accountcode", &l.accountCode_}};
    for (auto& s : slots) {
      if (s.name == name && *s.column < 0) *s.column = idx;
    }
  }
  if (l.startStamp_ < 0 && l.startEpoch_ < 0) {
    if (problem) *problem = "the template has neither start_stamp nor start_epoch; a call needs its start time";
    return std::nullopt;
  }
  if (l.callerIdNumber_ < 0 && l.destination_ < 0) {
    if (problem) *problem = "the template has neither caller_id_number nor destination_number";
    return std::nullopt;
  }
  return l;
}

Outcome outcomeOfHangupCause(std::string_view cause) {
  if (cause == "USER_BUSY") return Outcome::Busy;
  if (cause == "NO_ANSWER" || cause == "NO_USER_RESPONSE" || cause == "ALLOTTED_TIMEOUT") return Outcome::NoAnswer;
  if (cause == "ORIGINATOR_CANCEL" || cause == "LOSE_RACE" || cause == "PICKED_OFF") return Outcome::Canceled;
  if (cause.empty()) return Outcome::Unknown;
  return Outcome::Failed;
}

std::optional<std::string> FreeswitchLayout::parse(const std::vector<std::string_view>& f, LocalTimeZone& zone,
                                                   Leg& leg, std::string* key) const {
  if (f.size() != columns_) {
    return "wrong column count: " + std::to_string(f.size()) + " fields, the template has " + std::to_string(columns_);
  }
  auto at = [&](int column) { return column < 0 ? std::string_view() : f[static_cast<size_t>(column)]; };
  leg.uniqueId = std::string(at(uuid_));
  std::string callUuid(at(callUuid_));
  leg.key = !callUuid.empty() ? callUuid : !leg.uniqueId.empty() ? leg.uniqueId : rowHashKey(f);
  if (key) *key = leg.key;
  leg.originating = callUuid.empty() || callUuid == leg.uniqueId;
  leg.callerName = std::string(at(callerIdName_));
  leg.src = std::string(at(callerIdNumber_));
  leg.dst = std::string(at(destination_));
  leg.context = std::string(at(context_));
  leg.accountCode = std::string(at(accountCode_));
  leg.channel.clear();
  leg.dstChannel.clear();
  auto timeOf = [&](const char* stampName, int stamp, const char* epochName, int epoch, bool required,
                    std::optional<int64_t>& out) -> std::optional<std::string> {
    out.reset();
    if (stamp >= 0 && !at(stamp).empty()) {
      int64_t t = 0;
      if (auto e = localTime(zone, {stampName, at(stamp)}, t)) return e;
      out = t;
    } else if (epoch >= 0 && !at(epoch).empty() && at(epoch) != "0") {
      auto v = parseInteger(at(epoch));
      if (!v) return "unparseable timestamp in " + std::string(epochName) + ": " + quoted(at(epoch));
      out = *v;
    }
    if (required && !out) return std::string("no ") + stampName + " in the row";
    return std::nullopt;
  };
  std::optional<int64_t> start, end;
  if (auto e = timeOf("start_stamp", startStamp_, "start_epoch", startEpoch_, true, start)) return e;
  if (auto e = timeOf("answer_stamp", answerStamp_, "answer_epoch", answerEpoch_, false, leg.answer)) return e;
  if (auto e = timeOf("end_stamp", endStamp_, "end_epoch", endEpoch_, false, end)) return e;
  leg.start = *start;
  leg.duration = 0;
  leg.billsec = 0;
  if (duration_ >= 0 && !at(duration_).empty()) {
    if (auto e = integerField("duration", at(duration_), leg.duration)) return e;
  }
  if (billsec_ >= 0 && !at(billsec_).empty()) {
    if (auto e = integerField("billsec", at(billsec_), leg.billsec)) return e;
  }
  leg.end = end ? *end : leg.start + leg.duration;
  leg.disposition = std::string(at(hangupCause_));
  bool answered = leg.answer.has_value() || leg.billsec > 0;
  leg.outcome = answered ? Outcome::Answered : outcomeOfHangupCause(leg.disposition);
  return std::nullopt;
}

}  // namespace crmsync::phone
