// The audit log's append-only RFC 9162 Merkle tree over a NodeStore (node_store.h).
//
// Costs, for a tree of n leaves:
//   append            amortised O(1) hashes and O(1) node writes per leaf (never more than log n)
//   root(size)        O(log n) node reads (none for the current size: kept in memory)
//   inclusion_proof   O(log n) node reads
//   consistency_proof O(log n) node reads
//   open              O(log n) node reads, to rebuild the in-memory right edge ("frontier")
// Only stored complete subtrees are read: a subtree cut off by the right edge of an older tree size
// is recomputed from the O(log n) complete subtrees it decomposes into; nothing ever walks the
// leaves.
//
// Appending is two-phase so that the caller can store the new nodes in its own transaction,
// together with the entries they commit to (see sqlite_node_store.h for the pattern):
//   prepare_append(leaves) -> PendingAppend (the new nodes; the tree is unchanged)
//   ... caller writes pending.nodes and commits ...
//   commit_append(pending)  (the tree now has the new size)
// If the transaction fails, drop the PendingAppend; the tree is still at the old size.
//
// Thread safety: any number of threads may call the const methods concurrently with one thread
// appending. Appends (prepare/commit/append) must come from one thread at a time, normally the one
// holding the database's writer. Proofs and roots are for sizes <= size(), whose nodes are all stored.
// REQUIRES: the NodeStore outlives the tree.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "hub/audit/hash.h"
#include "hub/audit/node_store.h"
#include "hub/core/result.h"

namespace yici::audit {

// The right edge of a tree of `size` leaves: for each set bit l of size, the root of the complete
// subtree of 2^l leaves ending at the right edge, i.e. node (l, (size >> l) - 1).
struct Frontier {
  std::uint64_t size = 0;
  std::array<Hash, 64> by_level{};

  [[nodiscard]] Hash root() const;
};

struct PendingAppend {
  std::uint64_t old_size = 0;
  std::vector<Node> nodes;  // to store, in order: leaves and the complete subtrees they finish
  Frontier frontier;        // the tree's right edge after the append
  Hash root{};              // the tree's root after the append

  [[nodiscard]] std::uint64_t new_size() const { return frontier.size; }
};

class MerkleTree {
 public:
  // Opens the tree stored in `store` (possibly empty).
  static Result<std::unique_ptr<MerkleTree>> open(NodeStore& store);

  MerkleTree(const MerkleTree&) = delete;
  MerkleTree& operator=(const MerkleTree&) = delete;

  [[nodiscard]] std::uint64_t size() const;
  // The root at the current size.
  [[nodiscard]] Hash root() const;
  // The root the tree had when it had `size` leaves. Error::invalid if size > size().
  Result<Hash> root(std::uint64_t size) const;
  // The leaf hash at `index`. Error::invalid if index >= size().
  Result<Hash> leaf(std::uint64_t index) const;

  // RFC 9162 §2.1.3.1 PATH(index, D[size]). Error::invalid unless index < size <= size().
  Result<std::vector<Hash>> inclusion_proof(std::uint64_t index, std::uint64_t size) const;
  // RFC 9162 §2.1.4.1 PROOF(from, D[to]); empty for from == 0 or from == to.
  // Error::invalid unless from <= to <= size().
  Result<std::vector<Hash>> consistency_proof(std::uint64_t from, std::uint64_t to) const;

  // Phase 1: the nodes that appending `leaves` (leaf hashes, in log order) creates.
  [[nodiscard]] PendingAppend prepare_append(std::span<const Hash> leaves) const;
  // Phase 2, once pending.nodes are stored. Error::invalid if the tree changed since prepare_append.
  Status commit_append(const PendingAppend& pending);
  // Both phases, storing the nodes in `sink` in between. Returns the new root.
  Result<Hash> append(std::span<const Hash> leaves, NodeSink& sink);

  // Re-reads the right edge from the store, e.g. after a transaction of unknown outcome.
  Status reload();

 private:
  explicit MerkleTree(NodeStore& store) : store_(store) {}
  static Result<Frontier> load_frontier(NodeStore& store);
  Result<Hash> read(NodeId id) const;
  Result<Hash> subtree(std::uint64_t lo, std::uint64_t hi) const;
  Status path(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash>& out) const;
  Status subproof(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b, std::vector<Hash>& out) const;

  NodeStore& store_;
  mutable std::mutex mutex_;  // guards frontier_ and root_
  Frontier frontier_;
  Hash root_ = empty_root();
};

}  // namespace yici::audit
