#include "hub/audit/proof_verify.h"

#include <bit>
#include <string>

namespace yici::audit {
namespace {

bool lsb(std::uint64_t x) { return (x & 1) != 0; }

std::string str(std::uint64_t v) { return std::to_string(v); }

}  // namespace

Result<Hash> root_from_inclusion_path(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                                      std::span<const Hash> path) {
  // 1. leaf_index >= tree_size fails.
  if (leaf_index >= tree_size) {
    return Error::invalid("inclusion proof: leaf index " + str(leaf_index) + " is not below tree size " +
                          str(tree_size));
  }
  // 2. fn = leaf_index, sn = tree_size - 1.
  std::uint64_t fn = leaf_index;
  std::uint64_t sn = tree_size - 1;
  // 3. r = hash.
  Hash r = leaf;
  // 4. For each p in the path:
  for (const Hash& p : path) {
    // a. sn == 0: the path is too long.
    if (sn == 0) return Error::invalid("inclusion proof: path is longer than the tree is deep");
    // b.
    if (lsb(fn) || fn == sn) {
      r = node_hash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    // c.
    fn >>= 1;
    sn >>= 1;
  }
  // 5. sn must be 0 (the path was not too short).
  if (sn != 0) return Error::invalid("inclusion proof: path is shorter than the tree is deep");
  return r;
}

Status verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf, std::span<const Hash> path,
                        const Hash& root) {
  YICI_TRY(Hash computed, root_from_inclusion_path(leaf_index, tree_size, leaf, path));
  if (computed != root) {
    return Error::corruption("inclusion proof: leaf " + str(leaf_index) + " does not lead to the root of tree size " +
                             str(tree_size));
  }
  return {};
}

Status verify_consistency(std::uint64_t from, std::uint64_t to, std::span<const Hash> path, const Hash& from_root,
                          const Hash& to_root) {
  if (from > to) return Error::invalid("consistency proof: from " + str(from) + " is above to " + str(to));
  if (from == to) {
    if (!path.empty()) return Error::invalid("consistency proof: from == to needs an empty path");
    if (from_root != to_root) return Error::corruption("consistency proof: equal sizes with different roots");
    return {};
  }
  if (from == 0) {
    if (!path.empty()) return Error::invalid("consistency proof: from == 0 needs an empty path");
    return {};
  }
  // RFC 9162 §2.1.4.2, 0 < from < to.
  // 1. An empty path fails.
  if (path.empty()) return Error::invalid("consistency proof: empty path");
  // 2. If first is an exact power of 2, prepend first_hash to the path (here: start from it
  //    instead of copying the path).
  const bool prepend = std::has_single_bit(from);
  // 3. fn = first - 1, sn = second - 1.
  std::uint64_t fn = from - 1;
  std::uint64_t sn = to - 1;
  // 4. If LSB(fn) is set, right-shift both until it is not.
  while (lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. fr = sr = the first value of the (prepended) path.
  std::size_t i = 0;
  Hash fr = prepend ? from_root : path[i++];
  Hash sr = fr;
  // 6. For each subsequent value c:
  for (; i < path.size(); ++i) {
    const Hash& c = path[i];
    // a. sn == 0: the path is too long.
    if (sn == 0) return Error::invalid("consistency proof: path is longer than the tree is deep");
    // b.
    if (lsb(fn) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    // c.
    fn >>= 1;
    sn >>= 1;
  }
  // 7. sn == 0, fr == first_hash, sr == second_hash.
  if (sn != 0) return Error::invalid("consistency proof: path is shorter than the tree is deep");
  if (fr != from_root) {
    return Error::corruption("consistency proof: path does not lead to the root of tree size " + str(from));
  }
  if (sr != to_root) {
    return Error::corruption("consistency proof: path does not lead to the root of tree size " + str(to));
  }
  return {};
}

std::size_t inclusion_path_length(std::uint64_t leaf_index, std::uint64_t tree_size) {
  // Levels below the point where the leaf's path and the right edge meet are full; above it, each
  // set bit of the remaining right edge adds one sibling.
  const std::uint64_t last = tree_size - 1;
  const auto inner = static_cast<std::size_t>(std::bit_width(leaf_index ^ last));
  return inner + static_cast<std::size_t>(std::popcount(last >> inner));
}

std::size_t consistency_path_length(std::uint64_t from, std::uint64_t to) {
  if (from == 0 || from == to) return 0;
  const int shift = std::countr_zero(from);
  const std::uint64_t fn = (from - 1) >> shift;
  const std::uint64_t sn = (to - 1) >> shift;
  const std::size_t inner = inclusion_path_length(fn, sn + 1);
  // The RFC prepends first_hash itself when from is a power of two (fn == 0 after shifting).
  return inner + (fn == 0 ? 0 : 1);
}

}  // namespace yici::audit
