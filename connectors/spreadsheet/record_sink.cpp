#include "record_sink.hpp"

#include "encoding.hpp"

#include <charconv>

namespace crmsync::spreadsheet {
namespace {

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void assignOrigin(std::string& out, const std::string& prefix, uint64_t position) {
  char digits[24];
  auto res = std::to_chars(digits, digits + sizeof digits, position);
  out.assign(prefix);
  out.append(digits, res.ptr);
}

}  // namespace

RecordSink::RecordSink(sdk::Host& host, const SourceOptions& options, const HeaderMapping& mapping,
                       std::string fileLabel, std::string originPrefix)
    : host_(host),
      options_(options),
      mapping_(mapping),
      fileLabel_(std::move(fileLabel)),
      originPrefix_(std::move(originPrefix)) {
  for (const auto& name : options_.key) keyColumns_.push_back(resolve("key", name));
  if (options_.updatedAtColumn) updatedAtColumn_ = resolve("updated_at_column", *options_.updatedAtColumn);
  for (const auto& col : mapping_.columns()) outputFields_ += col.field.empty() ? 0 : 1;
  batch_.reserve(options_.batchSize);
}

size_t RecordSink::resolve(const std::string& setting, const std::string& name) const {
  auto column = mapping_.find(name);
  if (!column) {
    throw sdk::Error(CRMSYNC_ERR_CONFIG, fileLabel_ + ": `" + setting + "` names column '" + name +
                                             "' but the header row has no such column; the headers are " +
                                             mapping_.describeHeaders());
  }
  return *column;
}

std::string RecordSink::origin(uint64_t position) const {
  std::string out;
  assignOrigin(out, originPrefix_, position);
  return out;
}

std::optional<RecordSink::RowProblem> RecordSink::addRow(std::span<const std::string_view> values, uint64_t position) {
  auto valueAt = [&](size_t i) { return i < values.size() ? values[i] : std::string_view(); };

  if (keyColumns_.empty()) {
    assignOrigin(key_, originPrefix_, position);
  } else {
    key_.clear();
    for (size_t k = 0; k < keyColumns_.size(); ++k) {
      std::string_view part = trimSpaces(valueAt(keyColumns_[k]));
      if (part.empty()) {
        return RowProblem{"key column '" + mapping_.columns()[keyColumns_[k]].header + "' is empty", ""};
      }
      if (k) key_ += '|';
      key_ += part;
    }
    if (auto first = seenKeys_.insert(key_, position)) {
      return RowProblem{
          "duplicate key '" + key_ + "' in this file (first on " + origin(*first) + "; that row was kept)", key_};
    }
  }

  if (used_ == batch_.size()) batch_.emplace_back();
  sdk::Record& r = batch_[used_++];
  r.entity = options_.entity;
  r.sourceKey = key_;
  assignOrigin(r.origin, originPrefix_, position);
  if (updatedAtColumn_ && !valueAt(*updatedAtColumn_).empty()) {
    r.updatedAt = std::string(valueAt(*updatedAtColumn_));
  } else {
    r.updatedAt.reset();
  }
  r.fields.resize(outputFields_);
  size_t out = 0;
  const auto& columns = mapping_.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].field.empty()) continue;
    auto& field = r.fields[out++];
    if (field.first != columns[i].field) field.first = columns[i].field;
    std::string_view v = valueAt(i);
    // An empty cell is an absent value, not an empty string: it must not blank out what another source knows.
    if (v.empty()) {
      field.second.reset();
    } else if (field.second) {
      field.second->assign(v);
    } else {
      field.second.emplace(v);
    }
  }
  if (used_ >= options_.batchSize) flush();
  return std::nullopt;
}

void RecordSink::reject(uint64_t position, const std::string& reason, std::string_view raw,
                        const std::string& sourceKey) {
  ++rejected_;
  std::string text = isValidUtf8(raw) ? std::string(raw) : escapeInvalidUtf8(raw);
  host_.reject(sourceKey, origin(position), reason, text);
}

void RecordSink::flush() {
  if (used_ == 0) return;
  if (host_.cancelled()) throw sdk::Error(CRMSYNC_ERR_CANCELLED, fileLabel_ + ": cancelled by the host");
  host_.emit(std::span<const sdk::Record>(batch_.data(), used_));
  emitted_ += used_;
  used_ = 0;
}

}  // namespace crmsync::spreadsheet
