// Helpers shared by the Merkle tree tests: synthetic leaves, a NodeStore that counts reads, and
// flipping one bit of a hash.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "hub/audit/hash.h"
#include "hub/audit/memory_node_store.h"

namespace yici::audit::test {

// A distinct, deterministic leaf hash per index (the leaf bytes are the index, little-endian).
inline Hash synthetic_leaf(std::uint64_t i) {
  std::uint8_t bytes[8];
  for (int b = 0; b < 8; ++b) bytes[b] = static_cast<std::uint8_t>(i >> (8 * b));
  return leaf_hash(std::span<const std::uint8_t>(bytes, 8));
}

inline std::vector<Hash> synthetic_leaves(std::uint64_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) out.push_back(synthetic_leaf(i));
  return out;
}

inline Hash flipped(Hash h, std::size_t byte = 0) {
  h[byte % h.size()] ^= 0x10;
  return h;
}

// Counts get() calls on an in-memory store.
class CountingNodeStore final : public NodeStore, public NodeSink {
 public:
  Result<Hash> get(NodeId id) override {
    ++reads;
    return inner.get(id);
  }
  Result<std::uint64_t> leaf_count() override { return inner.leaf_count(); }
  Status put(std::span<const Node> nodes) override {
    writes += nodes.size();
    return inner.put(nodes);
  }

  MemoryNodeStore inner;
  std::atomic<std::uint64_t> reads{0};
  std::uint64_t writes = 0;
};

}  // namespace yici::audit::test
