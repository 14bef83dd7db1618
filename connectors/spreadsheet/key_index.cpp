#include "key_index.hpp"

#include <xxhash.h>

namespace crmsync::spreadsheet {
namespace {

constexpr size_t kInitialSlots = 1024;  // a power of two: the slot of a hash is hash & (size - 1)

}  // namespace

std::optional<uint64_t> KeyIndex::insert(std::string_view key, uint64_t position) {
  // Keep the table at most three quarters full so probe sequences stay short.
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  const uint64_t hash = XXH3_64bits(key.data(), key.size());
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (!slot.used) {
      slot = {hash, position, arena_.size(), static_cast<uint32_t>(key.size()), true};
      arena_.append(key);
      ++size_;
      return std::nullopt;
    }
    if (slot.hash == hash && std::string_view(arena_).substr(slot.offset, slot.length) == key) return slot.position;
  }
}

void KeyIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? kInitialSlots : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.used) continue;
    size_t i = s.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace crmsync::spreadsheet
