// Verification of Merkle inclusion and consistency proofs, step for step as RFC 9162 §2.1.3.2 and
// §2.1.4.2 specify them, so that what we accept is exactly what an independent RFC 9162 verifier
// accepts.
//
// Errors: Error::invalid for proofs that cannot be right whatever the hashes (index >= size,
// from > to, a path of the wrong length); Error::corruption when the hashes do not reproduce the
// given root(s). Both mean "does not verify"; the message says why.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "hub/audit/hash.h"
#include "hub/core/result.h"

namespace yici::audit {

// The root that `path` and `leaf` imply for a tree of `tree_size` leaves (§2.1.3.2 steps 1-4, plus
// the check that the path was used up exactly: sn == 0).
Result<Hash> root_from_inclusion_path(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                                      std::span<const Hash> path);

// Inclusion of the leaf hash `leaf` at `leaf_index` in the tree of `tree_size` leaves with `root`.
Status verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf, std::span<const Hash> path,
                        const Hash& root);

// That the tree of `from` leaves with `from_root` is a prefix of the tree of `to` leaves with
// `to_root`. Cases outside the RFC algorithm (which assumes 0 < from < to):
//   from == to: the path must be empty and the roots equal;
//   from == 0:  the path must be empty (the empty tree is a prefix of every tree).
Status verify_consistency(std::uint64_t from, std::uint64_t to, std::span<const Hash> path, const Hash& from_root,
                          const Hash& to_root);

// The length of a correct proof: lets a server or a parser reject a malformed one early.
// REQUIRES: leaf_index < tree_size, respectively from <= to.
std::size_t inclusion_path_length(std::uint64_t leaf_index, std::uint64_t tree_size);
std::size_t consistency_path_length(std::uint64_t from, std::uint64_t to);

}  // namespace yici::audit
