// Turns calls into the records the engine loads: one interaction per call and, before it, one customer per
// outside party not yet emitted in this run.
#pragma once

#include "call_legs.hpp"
#include "parties.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace crmsync::phone {

/// Which side is outside, from the `internal` settings and, when they say nothing, the source's own direction.
struct CallSides {
  std::string direction;  // "in" or "out"; empty for a call between two internal parties
  std::string partyPhone;
  std::string partyName;
};

/// Decides the direction and outside party of a call from `caller` to `callee`. `context` is the dialplan
/// context the call was placed in (empty when unknown); `fallbackDirection` ("in"/"out") applies when neither
/// number nor context is known to be internal.
CallSides decideSides(const InternalParties& internal, const std::string& caller, const std::string& callerName,
                      const std::string& callee, const std::string& context, const std::string& fallbackDirection);

class CallRecords {
 public:
  /// `source` goes into each interaction's `source` field ("asterisk", "freeswitch", "twilio"); internal-only
  /// calls are dropped unless keepInternalCalls. Records are emitted `batchSize` at a time.
  CallRecords(sdk::Host& host, const InternalParties& internal, bool keepInternalCalls, size_t batchSize,
              std::string source);

  /// One call from its CDR legs (file order); `originPrefix` + line of the first leg is its origin.
  void addCdrCall(std::vector<Leg>& legs, const std::string& originPrefix);
  /// An interaction already built; its party's customer record goes out first when the party is new to this
  /// run. Interactions between internal parties (empty sides.direction) are dropped unless kept.
  void addInteraction(sdk::Record interaction, const CallSides& sides);
  /// Emits what is buffered.
  void flush();

  /// Writes a record's fields in order into a reused record, assigning into the strings it already holds, so a
  /// long file costs no allocation per field once the batch has filled the first time.
  class FieldWriter {
   public:
    explicit FieldWriter(sdk::Record& record) : record_(record) {}
    ~FieldWriter() { record_.fields.resize(count_); }
    FieldWriter(const FieldWriter&) = delete;
    FieldWriter& operator=(const FieldWriter&) = delete;
    /// Adds the field; an empty value is left out (absent rather than empty).
    void put(std::string_view name, std::string_view value);

   private:
    sdk::Record& record_;
    size_t count_ = 0;
  };

  size_t interactions() const { return interactions_; }
  size_t customers() const { return customers_; }
  size_t internalSkipped() const { return internalSkipped_; }

 private:
  sdk::Host& host_;
  const InternalParties& internal_;
  bool keepInternal_;
  size_t batchSize_;
  std::string source_;
  /// The next record of the batch to fill: reused from an earlier batch when there is one.
  sdk::Record& slot();
  /// Whether an interaction with these sides is written (internal calls may be skipped); writes the party's
  /// customer record first when the party is new to this run.
  bool admit(const CallSides& sides, const std::string& origin);

  std::vector<sdk::Record> batch_;
  size_t used_ = 0;
  std::unordered_set<uint64_t> seenParties_;  // XXH3 of the customer keys emitted in this run
  size_t interactions_ = 0;
  size_t customers_ = 0;
  size_t internalSkipped_ = 0;
};

}  // namespace crmsync::phone
