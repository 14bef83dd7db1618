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

void CallRecords::FieldWriter::put(std::string_view name, std::string_view value) {
  if (value.empty()) return;
  auto& fields = record_.fields;
  if (count_ < fields.size()) {
    auto& f = fields[count_];
    f.first.assign(name);
    if (f.second) f.second->assign(value);
    else f.second.emplace(value);
  } else {
    fields.emplace_back(std::string(name), std::string(value));
  }
  ++count_;
}

sdk::Record& CallRecords::slot() {
  if (used_ == batch_.size()) batch_.emplace_back();
  return batch_[used_++];
}

bool CallRecords::admit(const CallSides& sides, const std::string& origin) {
  if (sides.direction.empty()) {
    if (!keepInternal_) ++internalSkipped_;
    return keepInternal_;
  }
  if (sides.partyPhone.empty()) return true;
  std::string key = "phone:" + sides.partyPhone;
  if (!seenParties_.insert(XXH3_64bits(key.data(), key.size())).second) return true;
  sdk::Record& c = slot();
  c.entity = "customer";
  c.sourceKey = std::move(key);
  c.updatedAt.reset();
  c.origin = origin;
  FieldWriter w(c);
  w.put("name", sides.partyName);
  w.put("phone", sides.partyPhone);
  ++customers_;
  return true;
}

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
  std::string where = originPrefix + std::to_string(legs.front().line);
  if (!admit(sides, where)) return;

  sdk::Record& r = slot();
  r.entity = "interaction";
  r.sourceKey = origin->key;
  r.updatedAt.reset();
  r.origin = std::move(where);
  {
    FieldWriter w(r);
    w.put("channel", "phone");
    w.put("direction", sides.direction.empty() ? std::string_view("out") : std::string_view(sides.direction));
    w.put("occurred_at", formatIsoUtc(start));
    w.put("duration_s", std::to_string(duration));
    w.put("outcome", outcomeName(outcome));
    w.put("party_phone", sides.partyPhone);
    w.put("party_name", sides.partyName);
    w.put("source", source_);
    w.put("src", origin->src);
    w.put("dst", origin->dst);
    w.put("caller_name", origin->callerName);
    w.put("context", origin->context);
    w.put("channel_name", origin->channel);
    w.put("disposition", answered ? answered->disposition : origin->disposition);
    w.put("answered_channel", answered ? std::string_view(answered->dstChannel) : std::string_view());
    w.put("accountcode", origin->accountCode);
    w.put("ended_at", formatIsoUtc(end));
    w.put("legs", std::to_string(legs.size()));
    if (sides.direction.empty()) w.put("internal", "true");
  }
  ++interactions_;
  if (used_ >= batchSize_) flush();
}

void CallRecords::addInteraction(sdk::Record interaction, const CallSides& sides) {
  if (!admit(sides, interaction.origin)) return;
  if (sides.direction.empty()) {
    interaction.set("direction", "out");
    interaction.set("internal", "true");
  }
  slot() = std::move(interaction);
  ++interactions_;
  if (used_ >= batchSize_) flush();
}

void CallRecords::flush() {
  if (used_ == 0) return;
  host_.emit(std::span<const sdk::Record>(batch_.data(), used_));
  used_ = 0;
}

}  // namespace crmsync::phone
