// The phone source plugin: call logs from Asterisk Master.csv, FreeSWITCH mod_cdr_csv files and Twilio's Calls
// API, as interactions (channel phone) and customers for the outside parties.
#pragma once

#include "cdr_formats.hpp"
#include "line_decoder.hpp"
#include "parties.hpp"
#include "timestamps.hpp"
#include "twilio_calls.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crmsync::phone {

class PhoneSource : public sdk::Source {
 public:
  static constexpr const char* kName = "phone";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription =
      "Reads call logs (Asterisk Master.csv, FreeSWITCH CSV CDRs, Twilio Calls API) into phone interactions and "
      "customers for the outside callers";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"format", CRMSYNC_CONFIG_STRING, "asterisk", 0, "asterisk (Master.csv), freeswitch (mod_cdr_csv) or twilio"},
      {"path", CRMSYNC_CONFIG_PATH, nullptr, 0, "The CDR file (asterisk, freeswitch), e.g. /var/log/asterisk/cdr-csv/Master.csv"},
      {"columns", CRMSYNC_CONFIG_STRING, "auto", 0,
       "Asterisk columns: 16, 17 (uniqueid), 18 (uniqueid, userfield), 21 (newcdrcolumns) or auto (by each row's "
       "field count)"},
      {"template", CRMSYNC_CONFIG_STRING_LIST, nullptr, 0,
       "FreeSWITCH: the variables of the CSV template, in column order (default: mod_cdr_csv's default template)"},
      {"encoding", CRMSYNC_CONFIG_STRING, "utf-8", 0,
       "Text encoding of the CDR file: utf-8 (bytes that are not become U+FFFD), gb18030 (GBK, GB2312) or latin1"},
      {"timezone", CRMSYNC_CONFIG_STRING, "UTC", 0,
       "IANA time zone of the CDR's local times (e.g. Asia/Shanghai); UTC when the PBX logs in GMT"},
      {"internal", CRMSYNC_CONFIG_STRING_LIST, "[]", 0,
       "Our extensions and numbers: literals or Asterisk patterns such as _2XXX or _+86105555XXXX"},
      {"internal_contexts", CRMSYNC_CONFIG_STRING_LIST, "[]", 0,
       "Dialplan contexts that only internal phones call from (e.g. from-internal): such calls go out"},
      {"internal_calls", CRMSYNC_CONFIG_STRING, "skip", 0,
       "Calls between two internal parties: skip, or keep (an interaction with internal=true, no customer)"},
      {"leg_window_s", CRMSYNC_CONFIG_INT, "3600", 0,
       "Longest gap in seconds between the ends of two legs of one call; the next run re-reads the calls that "
       "ended within it at the end of the file"},
      {"batch_size", CRMSYNC_CONFIG_INT, "1024", 0, "Records per emitted batch"},
      {"account_sid", CRMSYNC_CONFIG_STRING, nullptr, 0, "Twilio account SID (AC...)"},
      {"auth_token", CRMSYNC_CONFIG_SECRET, nullptr, 0, "Twilio auth token; write ${env:TWILIO_AUTH_TOKEN}"},
      {"base_url", CRMSYNC_CONFIG_STRING, "https://api.twilio.com", 0, "Twilio API root"},
      {"page_size", CRMSYNC_CONFIG_INT, "100", 0, "Twilio calls per page (PageSize, 1-1000)"},
      {"overlap_days", CRMSYNC_CONFIG_INT, "2", 0,
       "Twilio: days before the newest call seen that each run reads again, for calls that changed since"},
  };

  void open(const sdk::Config& config, sdk::Host& host) override;
  void read(sdk::Host& host) override;

 private:
  void readCdr(sdk::Host& host);

  enum class Format { Asterisk, Freeswitch, Twilio } format_ = Format::Asterisk;
  std::string formatName_;
  std::string path_;
  int columns_ = 0;
  std::optional<FreeswitchLayout> freeswitch_;
  std::unique_ptr<LocalTimeZone> zone_;
  std::unique_ptr<LineDecoder> decoder_;
  std::unique_ptr<InternalParties> internal_;
  bool keepInternal_ = false;
  int64_t legWindow_ = 3600;
  size_t batchSize_ = 1024;
  std::string settingsHash_;
  TwilioSettings twilio_;
};

}  // namespace crmsync::phone
