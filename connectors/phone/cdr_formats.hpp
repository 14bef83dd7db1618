// The two CDR CSV layouts: Asterisk cdr_csv's Master.csv and FreeSWITCH mod_cdr_csv with its column template.
// Each turns the fields of one line into a Leg, or says why it cannot.
#pragma once

#include "call_legs.hpp"
#include "timestamps.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::phone {

/// Asterisk Master.csv: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
/// answer, end, duration, billsec, disposition, amaflags (16); then uniqueid (17, loguniqueid=yes), userfield
/// (18, loguserfield=yes), then peeraccount, linkedid, sequence (21, newcdrcolumns=yes).
class AsteriskLayout {
 public:
  /// columns: 16, 17, 18 or 21, or 0 to tell by each row's field count.
  explicit AsteriskLayout(int columns) : columns_(columns) {}

  /// Fills `leg` (times, numbers, key, outcome) from one row; returns the reason when the row is unusable.
  /// *key receives the call's key as soon as it is known, for a reject.
  std::optional<std::string> parse(const std::vector<std::string_view>& fields, LocalTimeZone& zone, Leg& leg,
                                   std::string* key) const;

 private:
  int columns_;
};

/// FreeSWITCH mod_cdr_csv: the columns its template writes, by variable name. The default is the template
/// mod_cdr_csv ships (caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp,
/// end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec).
class FreeswitchLayout {
 public:
  /// The names, "caller_id_name" or "${caller_id_name}"; unknown names are read and ignored. Returns nullopt
  /// and sets *problem when the template lacks what a call needs (a start time and a number).
  static std::optional<FreeswitchLayout> create(const std::vector<std::string>& names, std::string* problem);
  static std::vector<std::string> defaultTemplate();

  std::optional<std::string> parse(const std::vector<std::string_view>& fields, LocalTimeZone& zone, Leg& leg,
                                   std::string* key) const;

 private:
  // Column index of each variable the connector uses, or -1.
  int callerIdName_ = -1, callerIdNumber_ = -1, destination_ = -1, context_ = -1;
  int startStamp_ = -1, answerStamp_ = -1, endStamp_ = -1;
  int startEpoch_ = -1, answerEpoch_ = -1, endEpoch_ = -1;
  int duration_ = -1, billsec_ = -1, hangupCause_ = -1, uuid_ = -1, callUuid_ = -1, accountCode_ = -1;
  size_t columns_ = 0;
};

/// The outcome of a FreeSWITCH hangup cause on a leg that was not answered.
Outcome outcomeOfHangupCause(std::string_view cause);

}  // namespace crmsync::phone
