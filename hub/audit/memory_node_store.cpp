#include "hub/audit/memory_node_store.h"

#include <mutex>
#include <string>

namespace yici::audit {

Result<Hash> MemoryNodeStore::get(NodeId id) {
  std::shared_lock lock(mutex_);
  if (id.level < 0 || id.level >= static_cast<int>(levels_.size()) || id.index >= levels_[id.level].size()) {
    return Error::not_found("merkle node (" + std::to_string(id.level) + ", " + std::to_string(id.index) +
                            ") is not stored");
  }
  return levels_[id.level][id.index];
}

Result<std::uint64_t> MemoryNodeStore::leaf_count() {
  std::shared_lock lock(mutex_);
  return static_cast<std::uint64_t>(levels_[0].size());
}

Status MemoryNodeStore::put(std::span<const Node> nodes) {
  std::unique_lock lock(mutex_);
  // Check first, so that a bad batch changes nothing.
  std::array<std::uint64_t, 64> next{};
  for (std::size_t l = 0; l < levels_.size(); ++l) next[l] = levels_[l].size();
  for (const Node& n : nodes) {
    if (n.id.level < 0 || n.id.level >= static_cast<int>(levels_.size()) || n.id.index != next[n.id.level]) {
      return Error::invalid("merkle node (" + std::to_string(n.id.level) + ", " + std::to_string(n.id.index) +
                            ") is not the next node of its level");
    }
    ++next[n.id.level];
  }
  for (const Node& n : nodes) levels_[n.id.level].push_back(n.hash);
  return {};
}

std::uint64_t MemoryNodeStore::node_count() const {
  std::shared_lock lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& level : levels_) total += level.size();
  return total;
}

}  // namespace yici::audit
