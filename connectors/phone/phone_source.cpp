#include "phone_source.hpp"

#include "call_legs.hpp"
#include "call_records.hpp"
#include "cdr_file.hpp"
#include "cdr_line.hpp"

#include <xxhash.h>

#include <cstdio>
#include <filesystem>

namespace crmsync::phone {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + '\x1f';
  return out;
}

std::string absoluteName(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

void PhoneSource::open(const sdk::Config& config, sdk::Host& host) {
  (void)host;
  formatName_ = config.get<std::string>("format", "asterisk");
  if (formatName_ == "asterisk") {
    format_ = Format::Asterisk;
  } else if (formatName_ == "freeswitch") {
    format_ = Format::Freeswitch;
  } else if (formatName_ == "twilio") {
    format_ = Format::Twilio;
  } else {
    throw sdk::Error(CRMSYNC_ERR_CONFIG,
                     "config key 'format': '" + formatName_ + "' is not a call log format; write asterisk, freeswitch or twilio");
  }
  internal_ = std::make_unique<InternalParties>(config.get<std::vector<std::string>>("internal", {}),
                                                config.get<std::vector<std::string>>("internal_contexts", {}));
  std::string internalCalls = config.get<std::string>("internal_calls", "skip");
  if (internalCalls != "skip" && internalCalls != "keep") {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'internal_calls': '" + internalCalls + "'; write skip or keep");
  }
  keepInternal_ = internalCalls == "keep";
  int batch = config.get<int>("batch_size", 1024);
  if (batch < 1) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'batch_size': must be at least 1");
  batchSize_ = static_cast<size_t>(batch);

  if (format_ == Format::Twilio) {
    twilio_.accountSid = config.get<std::string>("account_sid", "");
    twilio_.authToken = config.get<std::string>("auth_token", "");
    twilio_.baseUrl = config.get<std::string>("base_url", "https://api.twilio.com");
    while (twilio_.baseUrl.ends_with("/")) twilio_.baseUrl.pop_back();
    twilio_.pageSize = config.get<int>("page_size", 100);
    twilio_.overlapDays = config.get<int>("overlap_days", 2);
    if (twilio_.accountSid.empty()) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'account_sid': format twilio needs the account SID (AC...)");
    }
    if (twilio_.authToken.empty()) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG,
                       "config key 'auth_token': format twilio needs the auth token; write ${env:TWILIO_AUTH_TOKEN}");
    }
    if (!twilio_.baseUrl.starts_with("https://") && !twilio_.baseUrl.starts_with("http://")) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'base_url': '" + twilio_.baseUrl +
                                               "' has no scheme; write https://api.twilio.com");
    }
    if (twilio_.pageSize < 1 || twilio_.pageSize > 1000) {
      throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'page_size': Twilio pages hold 1 to 1000 calls");
    }
    if (twilio_.overlapDays < 0) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'overlap_days': must not be negative");
    return;
  }

  path_ = config.get<std::string>("path", "");
  if (path_.empty()) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'path': format " + formatName_ + " needs the CDR file");
  }
  std::string tz = config.get<std::string>("timezone", "UTC");
  std::string problem;
  zone_ = LocalTimeZone::create(tz, &problem);
  if (!zone_) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'timezone': " + problem);
  std::string encoding = config.get<std::string>("encoding", "utf-8");
  decoder_ = LineDecoder::create(encoding, &problem);
  if (!decoder_) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'encoding': " + problem);
  legWindow_ = config.get<long long>("leg_window_s", 3600);
  if (legWindow_ < 0) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'leg_window_s': must not be negative");

  std::string columns = config.get<std::string>("columns", "auto");
  std::vector<std::string> templ;
  if (format_ == Format::Asterisk) {
    if (columns == "auto") {
      columns_ = 0;
    } else if (columns == "16" || columns == "17" || columns == "18" || columns == "21") {
      columns_ = std::stoi(columns);
    } else {
      throw sdk::Error(CRMSYNC_ERR_CONFIG,
                       "config key 'columns': '" + columns + "'; Master.csv has 16, 17, 18 or 21 columns (or write auto)");
    }
  } else {
    templ = config.has("template") && !config.raw().at("template").empty()
                ? config.get<std::vector<std::string>>("template")
                : FreeswitchLayout::defaultTemplate();
    freeswitch_ = FreeswitchLayout::create(templ, &problem);
    if (!freeswitch_) throw sdk::Error(CRMSYNC_ERR_CONFIG, "config key 'template': " + problem);
  }
  // What shapes the records: when it changes, the file is read again so every call is rebuilt the new way.
  std::string shape = formatName_ + '\x1e' + columns + '\x1e' + joined(templ) + '\x1e' + tz + '\x1e' + encoding + '\x1e' +
                      joined(config.get<std::vector<std::string>>("internal", {})) + '\x1e' +
                      joined(config.get<std::vector<std::string>>("internal_contexts", {})) + '\x1e' + internalCalls +
                      '\x1e' + std::to_string(legWindow_);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(XXH3_64bits(shape.data(), shape.size())));
  settingsHash_ = buf;
}

void PhoneSource::read(sdk::Host& host) {
  if (format_ == Format::Twilio) {
    CallRecords records(host, *internal_, keepInternal_, batchSize_, "twilio");
    TwilioCalls(twilio_).read(host, records, *internal_);
    return;
  }
  readCdr(host);
}

void PhoneSource::readCdr(sdk::Host& host) {
  CdrFile file(path_);
  const std::string name = absoluteName(path_);
  const std::string label = formatName_ + " " + path_;
  uint64_t from = 0;
  uint64_t fromLine = 1;
  uint64_t newFrom = 0;  // lines before this offset were read by the last run and are only context now
  if (auto text = host.cursor()) {
    std::string problem;
    auto cursor = CdrCursor::parse(*text, &problem);
    if (!cursor) {
      host.warn(label + ": " + problem + "; reading the file from the start");
    } else if (cursor->format != formatName_ || cursor->file != name) {
      host.info(label + ": the stored cursor is for " + cursor->format + " " + cursor->file +
                "; reading the file from the start");
    } else if (cursor->settings != settingsHash_) {
      host.info(label + ": settings changed since the last run; reading the file from the start");
    } else if (file.size() < cursor->offset) {
      host.info(label + ": the file is shorter than at the last run (" + std::to_string(file.size()) + " < " +
                std::to_string(cursor->offset) + " bytes: truncated or rotated); reading it from the start");
    } else if (file.fingerprint(cursor->offset) != std::make_pair(cursor->head, cursor->before)) {
      host.info(label + ": the bytes before offset " + std::to_string(cursor->offset) +
                " changed since the last run (rotated or rewritten); reading the file from the start");
    } else {
      from = cursor->tail;
      fromLine = cursor->tailLine;
      newFrom = cursor->offset;
    }
  }

  CallRecords records(host, *internal_, keepInternal_, batchSize_, formatName_);
  const std::string originPrefix = path_ + ":";
  CallGrouper grouper(legWindow_, [&](std::vector<Leg>& legs) { records.addCdrCall(legs, originPrefix); });
  const AsteriskLayout asterisk(columns_);
  std::vector<std::string_view> fields;
  std::string scratch;
  std::string key;
  Leg leg;
  size_t lines = 0;
  size_t rejected = 0;
  size_t replacedLines = 0;
  uint64_t endLine = fromLine;
  uint64_t end = file.readLines(
      from, fromLine,
      [&](std::string_view bytes, uint64_t offset, uint64_t number) {
        if ((++lines & 4095) == 0 && host.cancelled()) throw sdk::Error(CRMSYNC_ERR_CANCELLED, label + ": cancelled");
        bool isNew = offset >= newFrom;
        bool replaced = false;
        std::string_view line = decoder_->decode(bytes, &replaced);
        if (replaced && isNew && replacedLines++ == 0) {
          host.warn(label + ":" + std::to_string(number) +
                    ": bytes that are not UTF-8 were replaced by U+FFFD (set encoding: gb18030 or latin1 if the "
                    "PBX writes those)");
        }
        key.clear();
        std::optional<std::string> problem = splitCdrLine(line, fields, scratch);
        if (!problem) {
          problem = format_ == Format::Asterisk ? asterisk.parse(fields, *zone_, leg, &key)
                                                : freeswitch_->parse(fields, *zone_, leg, &key);
        }
        if (problem) {
          // A bad line in the re-read tail was quarantined by the run that first read it.
          if (isNew) {
            host.reject(key, originPrefix + std::to_string(number), *problem, std::string(line));
            ++rejected;
          }
          return;
        }
        leg.offset = offset;
        leg.line = number;
        leg.isNew = isNew;
        grouper.add(std::move(leg));
        leg = Leg{};
      },
      &endLine);
  auto oldest = grouper.oldestOpen();
  grouper.finish();
  records.flush();

  CdrCursor next;
  next.format = formatName_;
  next.file = name;
  next.settings = settingsHash_;
  next.offset = end;
  next.line = endLine;
  next.tail = oldest ? oldest->first : end;
  next.tailLine = oldest ? oldest->second : endLine;
  std::tie(next.head, next.before) = file.fingerprint(end);
  host.setCursor(next.toJson());
  host.info(label + ": " + std::to_string(records.interactions()) + " calls, " + std::to_string(records.customers()) +
            " callers, " + std::to_string(rejected) + " rows quarantined, " + std::to_string(records.internalSkipped()) +
            " internal calls skipped, " + std::to_string(replacedLines) +
            " lines with bytes that are not UTF-8; next run re-reads from byte " + std::to_string(next.tail));
}

}  // namespace crmsync::phone
