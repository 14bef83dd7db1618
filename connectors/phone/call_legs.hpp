// Legs of a call as CDR files log them, and their grouping into calls while a file streams past.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crmsync::phone {

/// What became of a call or leg, as the interaction's `outcome`.
enum class Outcome { Unknown, Answered, NoAnswer, Busy, Failed, Canceled };

/// "answered", "no_answer", ...; empty for Unknown.
const char* outcomeName(Outcome outcome);

/// One CDR row: one leg of a call. Times are seconds since the epoch (UTC).
struct Leg {
  std::string key;  // the call it belongs to: linkedid, else uniqueid (or uuid), else a hash of the row
  std::string uniqueId;
  std::string src;
  std::string dst;
  std::string callerName;  // display part of the caller ID, as logged
  std::string context;
  std::string channel;
  std::string dstChannel;
  std::string disposition;  // as logged: ANSWERED, NO ANSWER, NORMAL_CLEARING, ...
  std::string accountCode;
  int64_t start = 0;
  std::optional<int64_t> answer;
  int64_t end = 0;
  int64_t duration = 0;
  int64_t billsec = 0;
  Outcome outcome = Outcome::Unknown;
  bool originating = false;  // the leg that started the call (Asterisk: uniqueid == linkedid)
  uint64_t offset = 0;       // byte offset of its line
  uint64_t line = 0;         // 1-based line number
  bool isNew = true;         // false for a line re-read from the previous run's tail
};

/// Groups legs by key while a file is read. Legs are logged when they end, so the legs of one call end close
/// together: a call is complete once the file has moved `windowSeconds` past the latest end it had seen when the
/// call's last leg came. Only calls that hold at least one new leg reach the sink (a call re-read from the
/// previous run's tail with nothing new was emitted then). Memory holds the calls of one window, not the file,
/// and never more than kMaxOpen calls (the oldest closes first).
class CallGrouper {
 public:
  using Sink = std::function<void(std::vector<Leg>& legs)>;

  static constexpr size_t kMaxOpen = 100000;

  CallGrouper(int64_t windowSeconds, Sink sink) : window_(windowSeconds), sink_(std::move(sink)) {}

  /// Adds a leg; calls that ended more than the window before the latest leg end seen so far go to the sink.
  void add(Leg leg);
  /// Where the oldest call still open starts (offset and line of its first leg); std::nullopt when none is open.
  /// Before finish(), this is where the next run re-reads from to see the legs such calls may still get.
  std::optional<std::pair<uint64_t, uint64_t>> oldestOpen() const;
  /// Sends every call still open to the sink.
  void finish();
  size_t openCalls() const { return open_.size(); }

 private:
  struct Group {
    std::vector<Leg> legs;
    bool hasNew = false;
    std::multimap<int64_t, const std::string*>::iterator byEnd;
  };
  void close(std::unordered_map<std::string, Group>::iterator it);

  int64_t window_;
  Sink sink_;
  std::unordered_map<std::string, Group> open_;
  std::multimap<int64_t, const std::string*> byEnd_;  // latest end seen at the call's last leg -> key in open_
  std::optional<int64_t> watermark_;
};

}  // namespace crmsync::phone
