// Where the Merkle tree keeps its nodes: the hash of every complete subtree, addressed by
// (level, index). Level 0 holds the leaf hashes; the node at level l, index i is the root of the
// complete subtree over leaves [i * 2^l, (i + 1) * 2^l) and exists once all 2^l of them do.
// Stored nodes never change: the tree only ever adds nodes at the right end of each level.
//
// Thread safety: implementations must allow get() and leaf_count() from any thread, concurrently
// with each other and with writes (the tree serves proofs while it grows).
#pragma once

#include <cstdint>
#include <span>

#include "hub/audit/hash.h"
#include "hub/core/result.h"

namespace yici::audit {

struct NodeId {
  int level = 0;            // 0 = leaves; at most 63
  std::uint64_t index = 0;  // position within the level, from the left
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

struct Node {
  NodeId id;
  Hash hash{};
};

// The read side.
class NodeStore {
 public:
  virtual ~NodeStore() = default;
  // The node's hash; Error::not_found if it is not stored.
  virtual Result<Hash> get(NodeId id) = 0;
  // The number of leaves stored: one more than the highest level-0 index, 0 when empty.
  virtual Result<std::uint64_t> leaf_count() = 0;
};

// The write side, separate so that a write can go through the caller's transaction (see
// SqliteNodeWriter) while reads use other connections.
class NodeSink {
 public:
  virtual ~NodeSink() = default;
  // Stores new nodes, in the order given. Fails without effect on the tree if a node already exists.
  virtual Status put(std::span<const Node> nodes) = 0;
};

}  // namespace yici::audit
