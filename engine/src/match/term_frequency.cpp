#include "crmsync/match/term_frequency.hpp"

#include <cmath>

namespace crmsync::match {

namespace {

template <typename S>
TermFrequencyTable countValues(std::span<const S> values) {
  std::unordered_map<std::string_view, uint64_t> counts;
  uint64_t total = 0;
  for (const auto& v : values) {
    if (std::string_view(v).empty()) continue;
    ++counts[std::string_view(v)];
    ++total;
  }
  TermFrequencyTable table;
  for (const auto& [value, count] : counts)
    table.setFrequency(std::string(value), static_cast<double>(count) / static_cast<double>(total));
  return table;
}

}  // namespace

void TermFrequencyTable::setFrequency(std::string value, double frequency) {
  if (!(frequency > 0.0 && frequency <= 1.0)) return;
  table_.insert_or_assign(std::move(value), frequency);
}

TermFrequencyTable TermFrequencyTable::fromValues(std::span<const std::string> values) {
  return countValues(values);
}

TermFrequencyTable TermFrequencyTable::fromValues(std::span<const std::string_view> values) {
  return countValues(values);
}

}  // namespace crmsync::match
