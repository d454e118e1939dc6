#include "hub/audit/merkle_tree.h"

#include <bit>
#include <string>

namespace yici::audit {
namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

// The largest power of two strictly smaller than n (RFC 9162's k). REQUIRES: n >= 2.
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

Hash Frontier::root() const {
  if (size == 0) return empty_root();
  // The lowest set bit is the rightmost subtree; fold leftwards.
  bool have = false;
  Hash r{};
  for (int l = 0; l < 64; ++l) {
    if (((size >> l) & 1) == 0) continue;
    r = have ? node_hash(by_level[l], r) : by_level[l];
    have = true;
  }
  return r;
}

Result<std::unique_ptr<MerkleTree>> MerkleTree::open(NodeStore& store) {
  std::unique_ptr<MerkleTree> tree(new MerkleTree(store));
  YICI_TRY_STATUS(tree->reload());
  return tree;
}

Result<Frontier> MerkleTree::load_frontier(NodeStore& store) {
  Frontier f;
  YICI_TRY(f.size, store.leaf_count());
  for (int l = 0; l < 64; ++l) {
    if (((f.size >> l) & 1) == 0) continue;
    const NodeId id{l, (f.size >> l) - 1};
    auto h = store.get(id);
    if (!h.ok()) {
      return Error::corruption("merkle tree of " + str(f.size) + " leaves: node (" + str(l) + ", " + str(id.index) +
                               ") of its right edge: " + h.error().message);
    }
    f.by_level[l] = *h;
  }
  return f;
}

Status MerkleTree::reload() {
  YICI_TRY(Frontier f, load_frontier(store_));
  const Hash r = f.root();
  std::lock_guard lock(mutex_);
  frontier_ = f;
  root_ = r;
  return {};
}

std::uint64_t MerkleTree::size() const {
  std::lock_guard lock(mutex_);
  return frontier_.size;
}

Hash MerkleTree::root() const {
  std::lock_guard lock(mutex_);
  return root_;
}

Result<Hash> MerkleTree::read(NodeId id) const {
  auto h = store_.get(id);
  if (!h.ok() && h.error().code == ErrorCode::kNotFound) return Error::corruption(h.error().message);
  return h;
}

// MTH(D[lo:hi]). A complete, aligned subtree is one stored node; any other range (in practice only
// ranges ending at an older tree's right edge) splits as RFC 9162 does, so this reads at most
// 2 * log2(hi - lo) nodes.
Result<Hash> MerkleTree::subtree(std::uint64_t lo, std::uint64_t hi) const {
  const std::uint64_t n = hi - lo;
  if (n == 0) return Error::internal("empty subtree range");
  if (std::has_single_bit(n) && lo % n == 0) return read({std::countr_zero(n), lo >> std::countr_zero(n)});
  const std::uint64_t k = split_point(n);
  YICI_TRY(Hash left, subtree(lo, lo + k));
  YICI_TRY(Hash right, subtree(lo + k, hi));
  return node_hash(left, right);
}

Result<Hash> MerkleTree::root(std::uint64_t size) const {
  {
    std::lock_guard lock(mutex_);
    if (size > frontier_.size) {
      return Error::invalid("tree size " + str(size) + " is beyond the log's size " + str(frontier_.size));
    }
    if (size == frontier_.size) return root_;
  }
  if (size == 0) return empty_root();
  return subtree(0, size);
}

Result<Hash> MerkleTree::leaf(std::uint64_t index) const {
  const std::uint64_t n = size();
  if (index >= n) return Error::invalid("leaf index " + str(index) + " is not below the log's size " + str(n));
  return read({0, index});
}

// PATH(m, D[lo:hi]), RFC 9162 §2.1.3.1, with m an absolute leaf index.
Status MerkleTree::path(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash>& out) const {
  if (hi - lo <= 1) return {};
  const std::uint64_t k = split_point(hi - lo);
  if (m < lo + k) {
    YICI_TRY_STATUS(path(m, lo, lo + k, out));
    YICI_TRY(Hash sibling, subtree(lo + k, hi));
    out.push_back(sibling);
  } else {
    YICI_TRY_STATUS(path(m, lo + k, hi, out));
    YICI_TRY(Hash sibling, subtree(lo, lo + k));
    out.push_back(sibling);
  }
  return {};
}

// SUBPROOF(m, D[lo:hi], b), RFC 9162 §2.1.4.1, with m an absolute tree size (lo < m <= hi).
Status MerkleTree::subproof(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b, std::vector<Hash>& out) const {
  if (m == hi) {
    if (!b) {
      YICI_TRY(Hash h, subtree(lo, hi));
      out.push_back(h);
    }
    return {};
  }
  const std::uint64_t k = split_point(hi - lo);
  if (m <= lo + k) {
    YICI_TRY_STATUS(subproof(m, lo, lo + k, b, out));
    YICI_TRY(Hash h, subtree(lo + k, hi));
    out.push_back(h);
  } else {
    YICI_TRY_STATUS(subproof(m, lo + k, hi, false, out));
    YICI_TRY(Hash h, subtree(lo, lo + k));
    out.push_back(h);
  }
  return {};
}

Result<std::vector<Hash>> MerkleTree::inclusion_proof(std::uint64_t index, std::uint64_t size) const {
  const std::uint64_t n = this->size();
  if (size > n) return Error::invalid("tree size " + str(size) + " is beyond the log's size " + str(n));
  if (index >= size) {
    return Error::invalid("leaf index " + str(index) + " is not below tree size " + str(size));
  }
  std::vector<Hash> out;
  out.reserve(std::size_t{2} * 64);
  YICI_TRY_STATUS(path(index, 0, size, out));
  return out;
}

Result<std::vector<Hash>> MerkleTree::consistency_proof(std::uint64_t from, std::uint64_t to) const {
  const std::uint64_t n = size();
  if (to > n) return Error::invalid("tree size " + str(to) + " is beyond the log's size " + str(n));
  if (from > to) return Error::invalid("from " + str(from) + " is above to " + str(to));
  std::vector<Hash> out;
  if (from == 0 || from == to) return out;
  out.reserve(std::size_t{2} * 64);
  YICI_TRY_STATUS(subproof(from, 0, to, true, out));
  return out;
}

PendingAppend MerkleTree::prepare_append(std::span<const Hash> leaves) const {
  PendingAppend p;
  {
    std::lock_guard lock(mutex_);
    p.frontier = frontier_;
  }
  p.old_size = p.frontier.size;
  p.nodes.reserve(leaves.size() * 2 + 64);
  Frontier& f = p.frontier;
  for (const Hash& leaf : leaves) {
    const std::uint64_t n = f.size;
    p.nodes.push_back({{0, n}, leaf});
    // Each trailing one bit of n is a complete subtree that the new leaf now pairs with.
    Hash carry = leaf;
    int level = 0;
    while (((n >> level) & 1) != 0) {
      carry = node_hash(f.by_level[level], carry);
      ++level;
      p.nodes.push_back({{level, ((n + 1) >> level) - 1}, carry});
    }
    f.by_level[level] = carry;
    f.size = n + 1;
  }
  p.root = f.root();
  return p;
}

Status MerkleTree::commit_append(const PendingAppend& pending) {
  std::lock_guard lock(mutex_);
  if (pending.old_size != frontier_.size) {
    return Error::invalid("merkle append prepared at size " + str(pending.old_size) + " but the tree is at " +
                          str(frontier_.size));
  }
  frontier_ = pending.frontier;
  root_ = pending.root;
  return {};
}

Result<Hash> MerkleTree::append(std::span<const Hash> leaves, NodeSink& sink) {
  PendingAppend pending = prepare_append(leaves);
  YICI_TRY_STATUS(sink.put(pending.nodes));
  const Hash r = pending.root;
  YICI_TRY_STATUS(commit_append(pending));
  return r;
}

}  // namespace yici::audit
