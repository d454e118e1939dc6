// A NodeStore in memory: one vector of hashes per level. For tests, benchmarks and tools that
// rebuild a tree from a log's entries (`yici-ctl audit verify`); 64 bytes per leaf.
//
// Thread safety: all methods may be called concurrently (a shared mutex guards the vectors).
#pragma once

#include <array>
#include <shared_mutex>
#include <vector>

#include "hub/audit/node_store.h"

namespace yici::audit {

class MemoryNodeStore final : public NodeStore, public NodeSink {
 public:
  Result<Hash> get(NodeId id) override;
  Result<std::uint64_t> leaf_count() override;
  // Nodes must arrive in order: each node's index is the current length of its level (append-only).
  Status put(std::span<const Node> nodes) override;

  // Number of nodes stored over all levels.
  [[nodiscard]] std::uint64_t node_count() const;

 private:
  mutable std::shared_mutex mutex_;
  std::array<std::vector<Hash>, 64> levels_;
};

}  // namespace yici::audit
