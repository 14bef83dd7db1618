#include "call_legs.hpp"

#include <algorithm>

namespace crmsync::phone {

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::Answered: return "answered";
    case Outcome::NoAnswer: return "no_answer";
    case Outcome::Busy: return "busy";
    case Outcome::Failed: return "failed";
    case Outcome::Canceled: return "canceled";
    case Outcome::Unknown: break;
  }
  return "";
}

void CallGrouper::close(std::unordered_map<std::string, Group>::iterator it) {
  byEnd_.erase(it->second.byEnd);
  Group group = std::move(it->second);
  open_.erase(it);
  if (group.hasNew) sink_(group.legs);
}

void CallGrouper::add(Leg leg) {
  if (!watermark_ || leg.end > *watermark_) watermark_ = leg.end;
  while (!byEnd_.empty() && (byEnd_.begin()->first < *watermark_ - window_ || open_.size() >= kMaxOpen)) {
    close(open_.find(*byEnd_.begin()->second));
  }
  auto [it, inserted] = open_.try_emplace(leg.key);
  Group& g = it->second;
  if (!inserted) byEnd_.erase(g.byEnd);
  g.hasNew = g.hasNew || leg.isNew;
  // Keyed by the latest end seen when the leg came, not by the leg's own end: a row dated earlier than the rows
  // before it (a clock set back, files joined) must not close its call before the next leg arrives.
  g.byEnd = byEnd_.emplace(*watermark_, &it->first);
  g.legs.push_back(std::move(leg));
}

std::optional<std::pair<uint64_t, uint64_t>> CallGrouper::oldestOpen() const {
  std::optional<std::pair<uint64_t, uint64_t>> oldest;
  for (const auto& [key, g] : open_) {
    const Leg& first = g.legs.front();
    if (!oldest || first.offset < oldest->first) oldest = std::make_pair(first.offset, first.line);
  }
  return oldest;
}

void CallGrouper::finish() {
  // In the order the calls ended, as they would have closed had the file gone on.
  while (!byEnd_.empty()) close(open_.find(*byEnd_.begin()->second));
}

}  // namespace crmsync::phone
