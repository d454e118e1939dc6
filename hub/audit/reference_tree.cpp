#include "hub/audit/reference_tree.h"

#include <bit>

namespace yici::audit::reference {
namespace {

using Leaves = std::span<const Hash>;

// SUBPROOF(m, D[n], b), RFC 9162 §2.1.4.1.
void subproof(std::uint64_t m, Leaves d, bool b, std::vector<Hash>& out) {
  const std::uint64_t n = d.size();
  if (m == n) {
    if (!b) out.push_back(root(d));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    subproof(m, d.subspan(0, k), b, out);
    out.push_back(root(d.subspan(k)));
  } else {
    subproof(m - k, d.subspan(k), false, out);
    out.push_back(root(d.subspan(0, k)));
  }
}

void path(std::uint64_t m, Leaves d, std::vector<Hash>& out) {
  const std::uint64_t n = d.size();
  if (n <= 1) return;  // PATH(0, {d(0)}) = {}
  const std::uint64_t k = split_point(n);
  if (m < k) {
    path(m, d.subspan(0, k), out);
    out.push_back(root(d.subspan(k)));
  } else {
    path(m - k, d.subspan(k), out);
    out.push_back(root(d.subspan(0, k)));
  }
}

}  // namespace

std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

Hash root(Leaves d) {
  if (d.empty()) return empty_root();
  if (d.size() == 1) return d[0];
  const std::uint64_t k = split_point(d.size());
  return node_hash(root(d.subspan(0, k)), root(d.subspan(k)));
}

std::vector<Hash> inclusion_path(std::uint64_t index, Leaves leaf_hashes) {
  std::vector<Hash> out;
  if (index < leaf_hashes.size()) path(index, leaf_hashes, out);
  return out;
}

std::vector<Hash> consistency_path(std::uint64_t from, Leaves leaf_hashes) {
  std::vector<Hash> out;
  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true); defined for 0 < m <= n (m == n gives the empty proof).
  if (from > 0 && from <= leaf_hashes.size()) subproof(from, leaf_hashes, true, out);
  return out;
}

}  // namespace yici::audit::reference
