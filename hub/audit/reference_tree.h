// The Merkle tree algorithms of RFC 9162 written as the RFC states them: recursive, O(n) per call,
// over a vector of leaf hashes held in memory. Obviously correct rather than fast; the production
// tree (merkle_tree.h) is tested against these, and `yici-ctl audit verify` may use them to
// recompute a whole log.
//
//   root                 MTH(D[n])            RFC 9162 §2.1.1
//   inclusion_path       PATH(m, D[n])        RFC 9162 §2.1.3.1
//   consistency_path     PROOF(m, D[n])       RFC 9162 §2.1.4.1
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hub/audit/hash.h"

namespace yici::audit::reference {

// The largest power of two strictly smaller than n. REQUIRES: n >= 2.
std::uint64_t split_point(std::uint64_t n);

// MTH over the given leaf hashes (all of them); empty_root() for none.
Hash root(std::span<const Hash> leaf_hashes);

// PATH(index, D[n]) where D[n] = leaf_hashes. REQUIRES: index < leaf_hashes.size().
std::vector<Hash> inclusion_path(std::uint64_t index, std::span<const Hash> leaf_hashes);

// PROOF(from, D[n]) where D[n] = leaf_hashes: empty when from == 0 or from == n.
// REQUIRES: from <= leaf_hashes.size().
std::vector<Hash> consistency_path(std::uint64_t from, std::span<const Hash> leaf_hashes);

}  // namespace yici::audit::reference
