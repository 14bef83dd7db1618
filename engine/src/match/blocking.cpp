#include "crmsync/match/blocking.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <set>
#include <unordered_map>

#include "crmsync/match/comparators.hpp"
#include "match/utf8_decode.hpp"

namespace crmsync::match {
namespace {

constexpr char kPartSeparator = '\x1f';

struct TransformName {
  KeyTransform transform;
  const char* name;
};
constexpr TransformName kTransformNames[] = {
    {KeyTransform::kExact, "exact"},
    {KeyTransform::kFirstChars, "first_chars"},
    {KeyTransform::kSortedTokens, "sorted_tokens"},
    {KeyTransform::kEachToken, "each_token"},
    {KeyTransform::kPhoneticCodes, "phonetic_codes"},
    {KeyTransform::kLastDigits, "last_digits"},
};

uint64_t hashBytes(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

void sortedUniqueTokens(std::string_view value, std::vector<std::string_view>& tokens) {
  tokens.clear();
  detail::forEachToken(value, [&](std::string_view t) { tokens.push_back(t); });
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
}

// Appends the key values one part gives for one field value.
void transformValue(std::string_view value, const KeyPart& part, std::vector<std::string>& out) {
  if (value.empty()) return;
  switch (part.transform) {
    case KeyTransform::kExact:
      out.emplace_back(value);
      return;
    case KeyTransform::kFirstChars:
      out.emplace_back(value.substr(0, detail::prefixBytes(value, part.length)));
      return;
    case KeyTransform::kSortedTokens:
    case KeyTransform::kEachToken: {
      std::vector<std::string_view> tokens;
      sortedUniqueTokens(value, tokens);
      if (tokens.empty()) return;
      if (part.transform == KeyTransform::kEachToken) {
        for (auto t : tokens) out.emplace_back(t);
        return;
      }
      std::string joined;
      for (auto t : tokens) {
        if (!joined.empty()) joined.push_back(' ');
        joined.append(t);
      }
      out.push_back(std::move(joined));
      return;
    }
    case KeyTransform::kPhoneticCodes: {
      size_t start = 0;
      while (start <= value.size()) {
        size_t bar = value.find('|', start);
        if (bar == std::string_view::npos) bar = value.size();
        if (bar > start) out.emplace_back(value.substr(start, bar - start));
        start = bar + 1;
      }
      return;
    }
    case KeyTransform::kLastDigits: {
      std::string digits;
      for (char c : value) {
        if (c >= '0' && c <= '9') digits.push_back(c);
      }
      if (digits.empty() || digits.size() < part.length) return;
      if (part.length > 0) digits.erase(0, digits.size() - part.length);
      out.push_back(std::move(digits));
      return;
    }
  }
}

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t bestDistance = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    const size_t d = levenshteinDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= std::max<size_t>(2, name.size() / 3) ? best : std::string();
}

// LSD radix sort on the bits actually used: record indexes of a million records fill 40 of 64 bits, so four
// 11-bit passes replace an O(n log n) comparison sort on the pair list, the largest array blocking builds.
void sortUnique(std::vector<uint64_t>& v) {
  if (v.size() < (1u << 16)) {
    std::sort(v.begin(), v.end());
  } else {
    uint64_t maxValue = 0;
    for (uint64_t x : v) maxValue |= x;
    const int bits = 64 - std::countl_zero(maxValue);
    constexpr int kDigit = 11;
    constexpr size_t kBuckets = size_t{1} << kDigit;
    std::vector<uint64_t> tmp(v.size());
    for (int shift = 0; shift < bits; shift += kDigit) {
      std::vector<size_t> count(kBuckets + 1, 0);
      for (uint64_t x : v) ++count[((x >> shift) & (kBuckets - 1)) + 1];
      for (size_t b = 1; b <= kBuckets; ++b) count[b] += count[b - 1];
      for (uint64_t x : v) tmp[count[(x >> shift) & (kBuckets - 1)]++] = x;
      v.swap(tmp);
    }
  }
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

uint64_t pack(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

IdPair idPair(int64_t a, int64_t b) { return a < b ? IdPair{a, b} : IdPair{b, a}; }

}  // namespace

const char* keyTransformName(KeyTransform t) {
  for (const auto& n : kTransformNames) {
    if (n.transform == t) return n.name;
  }
  return "unknown";
}

std::optional<KeyTransform> keyTransformFromName(std::string_view name) {
  for (const auto& n : kTransformNames) {
    if (name == n.name) return n.transform;
  }
  return std::nullopt;
}

Result<Blocker> Blocker::create(std::vector<BlockingKey> keys, const FieldSet& fields, BlockingOptions options) {
  Blocker b;
  std::set<std::string, std::less<>> names;
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto& key = keys[k];
    const std::string where = "blocking key " + std::to_string(k + 1) + " (" + key.name + ")";
    if (key.name.empty()) return invalidConfig("blocking key " + std::to_string(k + 1) + ": give it a name");
    if (!names.insert(key.name).second) return invalidConfig(where + ": another key has the same name");
    if (key.parts.empty()) return invalidConfig(where + ": list at least one field");
    if (key.method == BlockingMethod::kSortedNeighbourhood && key.window < 2) {
      return invalidConfig(where + ": a sorted-neighbourhood window must be at least 2");
    }
    std::vector<size_t> partFields;
    for (const auto& part : key.parts) {
      const auto index = fields.indexOf(part.field);
      if (!index) {
        std::string message = where + ": unknown field '" + part.field + "'";
        const std::string hint = closest(part.field, fields.names());
        if (!hint.empty()) message += "; did you mean '" + hint + "'?";
        return invalidConfig(message);
      }
      if ((part.transform == KeyTransform::kFirstChars || part.transform == KeyTransform::kLastDigits) &&
          part.length == 0) {
        return invalidConfig(where + ", field '" + part.field + "': " + keyTransformName(part.transform) +
                             " needs a length above 0");
      }
      partFields.push_back(*index);
    }
    b.partFields_.push_back(std::move(partFields));
  }
  b.keys_ = std::move(keys);
  b.options_ = options;
  return b;
}

void Blocker::keyValues(const MatchRecord& record, size_t key, std::vector<std::string>& out) const {
  out.clear();
  const auto& k = keys_[key];
  std::vector<std::string> partValues;
  for (size_t p = 0; p < k.parts.size(); ++p) {
    const auto value = record.value(partFields_[key][p]);
    partValues.clear();
    if (value) transformValue(*value, k.parts[p], partValues);
    if (partValues.empty()) {
      out.clear();
      return;
    }
    if (p == 0) {
      out.swap(partValues);
      continue;
    }
    std::vector<std::string> combined;
    combined.reserve(out.size() * partValues.size());
    for (const auto& left : out) {
      for (const auto& right : partValues) {
        std::string v;
        v.reserve(left.size() + 1 + right.size());
        v.append(left).push_back(kPartSeparator);
        v.append(right);
        combined.push_back(std::move(v));
      }
    }
    out.swap(combined);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

std::vector<KeyValue> Blocker::keyValues(const MatchRecord& record) const {
  std::vector<KeyValue> out;
  std::vector<std::string> values;
  for (size_t k = 0; k < keys_.size(); ++k) {
    keyValues(record, k, values);
    for (auto& v : values) out.push_back({keys_[k].name, std::move(v)});
  }
  return out;
}

BlockingResult Blocker::block(std::span<const MatchRecord> records) const {
  BlockingResult result;
  result.pairsPerKey.assign(keys_.size(), 0);
  std::vector<uint64_t> packed;

  // Key values live in one arena per key; entries point into it, so sorting moves 24-byte entries, not strings.
  struct Entry {
    uint64_t hash;
    uint64_t offset;
    uint32_t length;
    uint32_t record;
  };
  std::string arena;
  std::vector<Entry> entries;
  std::vector<std::string> values;

  for (size_t k = 0; k < keys_.size(); ++k) {
    const auto& key = keys_[k];
    arena.clear();
    entries.clear();
    for (size_t i = 0; i < records.size(); ++i) {
      keyValues(records[i], k, values);
      for (const auto& v : values) {
        entries.push_back({hashBytes(v), arena.size(), static_cast<uint32_t>(v.size()), static_cast<uint32_t>(i)});
        arena.append(v);
      }
    }
    auto text = [&](const Entry& e) { return std::string_view(arena).substr(e.offset, e.length); };
    uint64_t emitted = 0;
    auto emit = [&](uint32_t a, uint32_t b) {
      if (a == b) return;
      if (options_.crossGroupOnly && records[a].group == records[b].group) return;
      packed.push_back(pack(a, b));
      ++emitted;
    };

    if (key.method == BlockingMethod::kStandard) {
      // Hash first: equal values sort together and most comparisons never look at the bytes.
      std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
        if (a.hash != b.hash) return a.hash < b.hash;
        if (int c = text(a).compare(text(b)); c != 0) return c < 0;
        return a.record < b.record;
      });
      const size_t cappedBefore = result.capped.size();
      for (size_t s = 0; s < entries.size();) {
        size_t e = s + 1;
        while (e < entries.size() && entries[e].hash == entries[s].hash && text(entries[e]) == text(entries[s])) ++e;
        const size_t size = e - s;
        if (options_.maxBlockSize > 0 && size > options_.maxBlockSize) {
          result.capped.push_back({key.name, std::string(text(entries[s])), size});
        } else {
          for (size_t a = s; a < e; ++a) {
            for (size_t b = a + 1; b < e; ++b) emit(entries[a].record, entries[b].record);
          }
        }
        s = e;
      }
      std::sort(result.capped.begin() + static_cast<std::ptrdiff_t>(cappedBefore), result.capped.end(),
                [](const CappedValue& a, const CappedValue& b) { return a.value < b.value; });
    } else {
      std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
        if (int c = text(a).compare(text(b)); c != 0) return c < 0;
        if (records[a.record].id != records[b.record].id) return records[a.record].id < records[b.record].id;
        return a.record < b.record;
      });
      for (size_t a = 0; a < entries.size(); ++a) {
        const size_t end = std::min(entries.size(), a + key.window);
        for (size_t b = a + 1; b < end; ++b) emit(entries[a].record, entries[b].record);
      }
    }
    result.pairsPerKey[k] = emitted;
  }
  arena = std::string();
  entries = std::vector<Entry>();

  sortUnique(packed);
  result.pairs.resize(packed.size());
  for (size_t i = 0; i < packed.size(); ++i) {
    result.pairs[i] = {static_cast<uint32_t>(packed[i] >> 32), static_cast<uint32_t>(packed[i])};
  }
  return result;
}

BlockingStats blockingStats(std::span<const MatchRecord> records, const BlockingResult& result,
                            bool crossGroupOnly, std::span<const int64_t> entityIds) {
  BlockingStats s;
  s.records = records.size();
  s.candidatePairs = result.pairs.size();
  s.pairsPerKey = result.pairsPerKey;
  s.capped = result.capped;
  // Pairs within one group are the records of a group taken two at a time; pairs across groups are all pairs
  // minus those.
  auto pairsOf = [](uint64_t n) { return n * (n - (n > 0 ? 1 : 0)) / 2; };
  s.possiblePairs = pairsOf(records.size());
  if (crossGroupOnly) {
    std::unordered_map<int32_t, uint64_t> perGroup;
    for (const auto& r : records) ++perGroup[r.group];
    for (const auto& [g, n] : perGroup) s.possiblePairs -= pairsOf(n);
  }
  s.reductionRatio = s.possiblePairs == 0
                         ? 1.0
                         : 1.0 - static_cast<double>(s.candidatePairs) / static_cast<double>(s.possiblePairs);

  if (!entityIds.empty() && entityIds.size() == records.size()) {
    std::vector<std::pair<int64_t, int32_t>> byEntity(records.size());
    for (size_t i = 0; i < records.size(); ++i) byEntity[i] = {entityIds[i], records[i].group};
    std::sort(byEntity.begin(), byEntity.end());
    uint64_t truePairs = 0;
    for (size_t a = 0; a < byEntity.size();) {
      size_t b = a;
      uint64_t sameGroup = 0;
      while (b < byEntity.size() && byEntity[b].first == byEntity[a].first) {
        size_t c = b;
        while (c < byEntity.size() && byEntity[c] == byEntity[b]) ++c;
        sameGroup += pairsOf(c - b);
        b = c;
      }
      truePairs += crossGroupOnly ? pairsOf(b - a) - sameGroup : pairsOf(b - a);
      a = b;
    }
    uint64_t found = 0;
    for (const auto& p : result.pairs) {
      if (entityIds[p.first] == entityIds[p.second]) ++found;
    }
    s.truePairs = truePairs;
    s.truePairsFound = found;
    s.pairsRecall = truePairs == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(truePairs);
    s.pairsPrecision =
        s.candidatePairs == 0 ? 0.0 : static_cast<double>(found) / static_cast<double>(s.candidatePairs);
  }
  return s;
}

BlockingIndex::BlockingIndex(Blocker blocker)
    : blocker_(std::move(blocker)), standard_(blocker_.keys().size()), sorted_(blocker_.keys().size()) {}

void BlockingIndex::insert(size_t key, std::string_view value, int64_t id, int32_t group) {
  if (blocker_.keys()[key].method == BlockingMethod::kSortedNeighbourhood) {
    sorted_[key].insert({std::string(value), id, group});
    return;
  }
  auto& map = standard_[key];
  auto it = map.find(value);
  if (it == map.end()) it = map.emplace(std::string(value), std::vector<Entry>()).first;
  it->second.push_back({id, group});
}

Status BlockingIndex::addKeyValue(std::string_view key, std::string_view value, int64_t id, int32_t group) {
  const auto& keys = blocker_.keys();
  for (size_t k = 0; k < keys.size(); ++k) {
    if (keys[k].name == key) {
      insert(k, value, id, group);
      return Status::ok();
    }
  }
  return invalidInput("blocking index: record " + std::to_string(id) + " has a value for unknown key '" +
                      std::string(key) + "'; the blocking keys changed since the values were stored, rebuild them");
}

void BlockingIndex::add(const MatchRecord& record) {
  std::vector<std::string> values;
  for (size_t k = 0; k < blocker_.keys().size(); ++k) {
    blocker_.keyValues(record, k, values);
    for (const auto& v : values) insert(k, v, record.id, record.group);
  }
}

void BlockingIndex::add(std::span<const MatchRecord> records) {
  for (const auto& r : records) add(r);
}

std::vector<IdPair> BlockingIndex::candidates(std::span<const MatchRecord> newRecords) const {
  const auto& keys = blocker_.keys();
  const auto& options = blocker_.options();
  std::vector<IdPair> out;
  auto emit = [&](int64_t a, int32_t ga, int64_t b, int32_t gb) {
    if (a == b) return;
    if (options.crossGroupOnly && ga == gb) return;
    out.push_back(idPair(a, b));
  };
  std::vector<std::string> values;
  for (size_t k = 0; k < keys.size(); ++k) {
    std::vector<SortedEntry> fresh;
    for (const auto& r : newRecords) {
      blocker_.keyValues(r, k, values);
      for (auto& v : values) fresh.push_back({std::move(v), r.id, r.group});
    }
    std::sort(fresh.begin(), fresh.end());

    if (keys[k].method == BlockingMethod::kStandard) {
      const auto& map = standard_[k];
      for (size_t s = 0; s < fresh.size();) {
        size_t e = s + 1;
        while (e < fresh.size() && fresh[e].value == fresh[s].value) ++e;
        const auto it = map.find(fresh[s].value);
        const size_t existing = it == map.end() ? 0 : it->second.size();
        const size_t total = existing + (e - s);
        if (options.maxBlockSize == 0 || total <= options.maxBlockSize) {
          for (size_t a = s; a < e; ++a) {
            for (size_t b = a + 1; b < e; ++b) emit(fresh[a].id, fresh[a].group, fresh[b].id, fresh[b].group);
            if (it != map.end()) {
              for (const auto& x : it->second) emit(fresh[a].id, fresh[a].group, x.id, x.group);
            }
          }
        }
        s = e;
      }
      continue;
    }

    // Sorted neighbourhood: walk the merged order of existing and new entries around each new entry without
    // materialising it, window - 1 steps each way.
    const auto& existing = sorted_[k];
    const size_t reach = keys[k].window - 1;
    for (size_t t = 0; t < fresh.size(); ++t) {
      const auto& self = fresh[t];
      const auto pos = existing.lower_bound(self);
      auto e = pos;
      size_t n = t;
      for (size_t step = 0; step < reach; ++step) {
        const bool haveE = e != existing.begin();
        const bool haveN = n > 0;
        if (!haveE && !haveN) break;
        if (haveE && (!haveN || fresh[n - 1] < *std::prev(e))) {
          --e;
          emit(self.id, self.group, e->id, e->group);
        } else {
          --n;
          emit(self.id, self.group, fresh[n].id, fresh[n].group);
        }
      }
      e = pos;
      n = t + 1;
      for (size_t step = 0; step < reach; ++step) {
        const bool haveE = e != existing.end();
        const bool haveN = n < fresh.size();
        if (!haveE && !haveN) break;
        if (haveE && (!haveN || *e < fresh[n])) {
          emit(self.id, self.group, e->id, e->group);
          ++e;
        } else {
          emit(self.id, self.group, fresh[n].id, fresh[n].group);
          ++n;
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace crmsync::match
