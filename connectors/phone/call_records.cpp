#include "call_records.hpp"

#include "timestamps.hpp"

#include <xxhash.h>

#include <algorithm>

namespace crmsync::phone {
namespace {

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

void setIfAny(sdk::Record& r, const char* name, const std::string& value) {
  if (!value.empty()) r.set(name, value);
}

}  // namespace

CallSides decideSides(const InternalParties& internal, const std::string& caller, const std::string& callerName,
                      const std::string& callee, const std::string& context, const std::string& fallbackDirection) {
  bool callerInside = internal.isInternalNumber(caller) || (!context.empty() && internal.isInternalContext(context));
  bool calleeInside = internal.isInternalNumber(callee);
  CallSides sides;
  if (callerInside && calleeInside) {
    sides.partyPhone = trimmed(callee);
    return sides;
  }
  if (callerInside) {
    sides.direction = "out";
  } else if (calleeInside) {
    sides.direction = "in";
  } else {
    sides.direction = fallbackDirection;
  }
  if (sides.direction == "out") {
    sides.partyPhone = trimmed(callee);
  } else {
    sides.partyPhone = trimmed(caller);
    if (isCallerName(callerName)) sides.partyName = trimmed(callerName);
  }
  if (!looksLikePhoneNumber(sides.partyPhone)) sides.partyPhone.clear();
  return sides;
}

CallRecords::CallRecords(sdk::Host& host, const InternalParties& internal, bool keepInternalCalls, size_t batchSize,
                         std::string source)
    : host_(host),
      internal_(internal),
      keepInternal_(keepInternalCalls),
      batchSize_(std::max<size_t>(batchSize, 1)),
      source_(std::move(source)) {}

void CallRecords::addCdrCall(std::vector<Leg>& legs, const std::string& originPrefix) {
  if (legs.empty()) return;
  const Leg* origin = nullptr;
  for (const Leg& l : legs) {
    if (l.originating && (!origin || l.start < origin->start)) origin = &l;
  }
  if (!origin) {
    origin = &legs.front();
    for (const Leg& l : legs) {
      if (l.start < origin->start) origin = &l;
    }
  }
  int64_t start = legs.front().start;
  int64_t end = legs.front().end;
  // The talk time is the billsec of the leg that reached a person: the originating leg of a queued or IVR call
  // was answered by the application and counts the wait too, so a later answered leg goes first.
  const Leg* answered = nullptr;
  for (const Leg& l : legs) {
    start = std::min(start, l.start);
    end = std::max(end, l.end);
    if (l.outcome != Outcome::Answered) continue;
    bool better = !answered || (answered->originating && !l.originating) ||
                  (answered->originating == l.originating && l.billsec > answered->billsec);
    if (better) answered = &l;
  }
  Outcome outcome = answered ? Outcome::Answered : origin->outcome;
  int64_t duration = answered ? answered->billsec : std::max<int64_t>(end - start, origin->duration);

  CallSides sides = decideSides(internal_, origin->src, origin->callerName, origin->dst, origin->context, "in");

  sdk::Record r;
  r.entity = "interaction";
  r.sourceKey = origin->key;
  r.origin = originPrefix + std::to_string(legs.front().line);
  r.set("channel", "phone");
  setIfAny(r, "direction", sides.direction);
  r.set("occurred_at", formatIsoUtc(start));
  r.set("duration_s", std::to_string(duration));
  setIfAny(r, "outcome", outcomeName(outcome));
  setIfAny(r, "party_phone", sides.partyPhone);
  setIfAny(r, "party_name", sides.partyName);
  r.set("source", source_);
  setIfAny(r, "src", origin->src);
  setIfAny(r, "dst", origin->dst);
  setIfAny(r, "caller_name", origin->callerName);
  setIfAny(r, "context", origin->context);
  setIfAny(r, "channel_name", origin->channel);
  setIfAny(r, "disposition", answered ? answered->disposition : origin->disposition);
  setIfAny(r, "answered_channel", answered ? answered->dstChannel : std::string());
  setIfAny(r, "accountcode", origin->accountCode);
  r.set("ended_at", formatIsoUtc(end));
  r.set("legs", std::to_string(legs.size()));
  addInteraction(std::move(r), sides);
}

void CallRecords::addInteraction(sdk::Record interaction, const CallSides& sides) {
  if (sides.direction.empty()) {
    if (!keepInternal_) {
      ++internalSkipped_;
      return;
    }
    interaction.set("direction", "out");
    interaction.set("internal", "true");
  } else if (!sides.partyPhone.empty()) {
    std::string key = "phone:" + sides.partyPhone;
    if (seenParties_.insert(XXH3_64bits(key.data(), key.size())).second) {
      sdk::Record c;
      c.entity = "customer";
      c.sourceKey = key;
      c.origin = interaction.origin;
      if (!sides.partyName.empty()) c.set("name", sides.partyName);
      c.set("phone", sides.partyPhone);
      batch_.push_back(std::move(c));
      ++customers_;
    }
  }
  batch_.push_back(std::move(interaction));
  ++interactions_;
  if (batch_.size() >= batchSize_) flush();
}

void CallRecords::flush() {
  if (batch_.empty()) return;
  host_.emit(batch_);
  batch_.clear();
}

}  // namespace crmsync::phone
