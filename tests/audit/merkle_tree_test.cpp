#include "hub/audit/merkle_tree.h"

#include <bit>
#include <random>
#include <thread>

#include <doctest/doctest.h>

#include "hub/audit/memory_node_store.h"
#include "hub/audit/proof_verify.h"
#include "hub/audit/reference_tree.h"
#include "tests/audit/merkle_test_util.h"
#include "tests/audit/rfc6962_vectors.h"

namespace yici::audit {
namespace {

using test::flipped;
using test::synthetic_leaves;

std::unique_ptr<MerkleTree> open_tree(NodeStore& store) {
  auto t = MerkleTree::open(store);
  REQUIRE(t.ok());
  return std::move(t).value();
}

// Appends `leaves` in batches of pseudo-random sizes (1..max_batch).
void append_in_batches(MerkleTree& tree, NodeSink& sink, std::span<const Hash> leaves, std::uint64_t seed,
                       std::size_t max_batch = 9) {
  std::mt19937_64 rng(seed);
  std::size_t done = 0;
  while (done < leaves.size()) {
    const std::size_t n = std::min<std::size_t>(leaves.size() - done, 1 + rng() % max_batch);
    REQUIRE(tree.append(leaves.subspan(done, n), sink).ok());
    done += n;
  }
}

// A tree of `n` synthetic leaves with the reference roots of every prefix.
struct Fixture {
  explicit Fixture(std::uint64_t n) : leaves(synthetic_leaves(n)) {
    tree = open_tree(store);
    append_in_batches(*tree, store, leaves, n);
    for (std::uint64_t s = 0; s <= n; ++s) roots.push_back(reference::root(std::span(leaves).first(s)));
  }
  std::span<const Hash> prefix(std::uint64_t s) const { return std::span(leaves).first(s); }

  std::vector<Hash> leaves;
  MemoryNodeStore store;
  std::unique_ptr<MerkleTree> tree;
  std::vector<Hash> roots;  // roots[s]: reference root of the first s leaves
};

constexpr std::uint64_t kMaxExhaustive = 130;

TEST_CASE("merkle tree: RFC 6962 test vectors (roots 1..8, inclusion and consistency paths)") {
  MemoryNodeStore store;
  auto tree = open_tree(store);
  const auto leaves = test::rfc6962_leaf_hashes();
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    REQUIRE(tree->append(std::span(leaves).subspan(n - 1, 1), store).ok());
    CHECK(hash_to_hex(tree->root()) == hash_to_hex(test::rfc6962_roots()[n - 1]));
  }
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    auto r = tree->root(n);
    REQUIRE(r.ok());
    CHECK(*r == test::rfc6962_roots()[n - 1]);
  }
  for (const auto& v : test::rfc6962_inclusion_vectors()) {
    auto p = tree->inclusion_proof(v.leaf_index, v.tree_size);
    REQUIRE(p.ok());
    CHECK(*p == v.path);
  }
  for (const auto& v : test::rfc6962_consistency_vectors()) {
    auto p = tree->consistency_proof(v.from, v.to);
    REQUIRE(p.ok());
    CHECK(*p == v.path);
  }
}

TEST_CASE("merkle tree: the empty tree") {
  MemoryNodeStore store;
  auto tree = open_tree(store);
  CHECK(tree->size() == 0);
  CHECK(tree->root() == empty_root());
  CHECK(*tree->root(0) == empty_root());
  CHECK_FALSE(tree->root(1).ok());
  CHECK_FALSE(tree->inclusion_proof(0, 0).ok());
  CHECK_FALSE(tree->leaf(0).ok());
  auto c = tree->consistency_proof(0, 0);
  REQUIRE(c.ok());
  CHECK(c->empty());
  REQUIRE(tree->append({}, store).ok());
  CHECK(tree->size() == 0);
}

TEST_CASE("merkle tree: roots and inclusion proofs equal the reference for every size up to 130") {
  Fixture f(kMaxExhaustive);
  for (std::uint64_t s = 0; s <= kMaxExhaustive; ++s) {
    CAPTURE(s);
    auto r = f.tree->root(s);
    REQUIRE(r.ok());
    CHECK(*r == f.roots[s]);
    for (std::uint64_t i = 0; i < s; ++i) {
      auto p = f.tree->inclusion_proof(i, s);
      REQUIRE(p.ok());
      CHECK(*p == reference::inclusion_path(i, f.prefix(s)));
    }
    CHECK_FALSE(f.tree->inclusion_proof(s, s).ok());
  }
  CHECK_FALSE(f.tree->inclusion_proof(0, kMaxExhaustive + 1).ok());
  CHECK_FALSE(f.tree->root(kMaxExhaustive + 1).ok());
}

TEST_CASE("merkle tree: consistency proofs equal the reference for every pair of sizes up to 130") {
  Fixture f(kMaxExhaustive);
  for (std::uint64_t to = 0; to <= kMaxExhaustive; ++to) {
    for (std::uint64_t from = 0; from <= to; ++from) {
      CAPTURE(from);
      CAPTURE(to);
      auto p = f.tree->consistency_proof(from, to);
      REQUIRE(p.ok());
      CHECK(*p == reference::consistency_path(from, f.prefix(to)));
    }
    if (to > 0) CHECK_FALSE(f.tree->consistency_proof(to, to - 1).ok());
  }
  CHECK_FALSE(f.tree->consistency_proof(1, kMaxExhaustive + 1).ok());
}

TEST_CASE("merkle tree: every inclusion proof verifies, and fails after any change") {
  Fixture f(kMaxExhaustive + 1);
  for (std::uint64_t s = 1; s <= kMaxExhaustive; ++s) {
    for (std::uint64_t i = 0; i < s; ++i) {
      CAPTURE(s);
      CAPTURE(i);
      const Hash& leaf = f.leaves[i];
      const Hash& root = f.roots[s];
      const std::vector<Hash> path = *f.tree->inclusion_proof(i, s);
      REQUIRE(verify_inclusion(i, s, leaf, path, root).ok());
      // A changed leaf hash (or, equivalently, another leaf's hash).
      CHECK_FALSE(verify_inclusion(i, s, flipped(leaf, i), path, root).ok());
      if (s > 1) CHECK_FALSE(verify_inclusion(i, s, f.leaves[(i + 1) % s], path, root).ok());
      // Any changed path element.
      for (std::size_t k = 0; k < path.size(); ++k) {
        auto p = path;
        p[k] = flipped(p[k], k);
        CHECK_FALSE(verify_inclusion(i, s, leaf, p, root).ok());
      }
      // Another index.
      if (i > 0) CHECK_FALSE(verify_inclusion(i - 1, s, leaf, path, root).ok());
      if (i + 1 < s) CHECK_FALSE(verify_inclusion(i + 1, s, leaf, path, root).ok());
      // Another size, checked against that size's true root. (Against the same root, a path can fit
      // several sizes, e.g. index 0 of 3 and of 4 leaves: a root only stands for the size it was
      // signed with, which is why checkpoints sign both.)
      for (std::uint64_t s2 : {s - 1, s + 1, 2 * s}) {
        if (s2 > i && s2 != s && s2 < f.roots.size()) {
          CHECK_FALSE(verify_inclusion(i, s2, leaf, path, f.roots[s2]).ok());
        }
      }
      CHECK_FALSE(verify_inclusion(i, s, leaf, path, f.roots[s - 1]).ok());
      // A truncated or extended path.
      if (!path.empty()) {
        CHECK_FALSE(verify_inclusion(i, s, leaf, std::span(path).first(path.size() - 1), root).ok());
      }
      auto longer = path;
      longer.push_back(leaf);
      CHECK_FALSE(verify_inclusion(i, s, leaf, longer, root).ok());
    }
  }
}

TEST_CASE("merkle tree: every consistency proof verifies, and fails after any change") {
  Fixture f(kMaxExhaustive + 1);
  for (std::uint64_t to = 1; to <= kMaxExhaustive; ++to) {
    for (std::uint64_t from = 1; from < to; ++from) {
      CAPTURE(from);
      CAPTURE(to);
      const Hash& r1 = f.roots[from];
      const Hash& r2 = f.roots[to];
      const std::vector<Hash> path = *f.tree->consistency_proof(from, to);
      REQUIRE(verify_consistency(from, to, path, r1, r2).ok());
      for (std::size_t k = 0; k < path.size(); ++k) {
        auto p = path;
        p[k] = flipped(p[k], k);
        CHECK_FALSE(verify_consistency(from, to, p, r1, r2).ok());
      }
      // Other sizes, each with its true root.
      for (std::uint64_t f2 : {from - 1, from + 1}) {
        if (f2 > 0 && f2 < to) CHECK_FALSE(verify_consistency(f2, to, path, f.roots[f2], r2).ok());
      }
      for (std::uint64_t t2 : {to - 1, to + 1, 2 * to}) {
        if (t2 > from && t2 < f.roots.size()) CHECK_FALSE(verify_consistency(from, t2, path, r1, f.roots[t2]).ok());
      }
      CHECK_FALSE(verify_consistency(from, to, path, r2, r1).ok());
      CHECK_FALSE(verify_consistency(from, to, std::span(path).first(path.size() - 1), r1, r2).ok());
      auto longer = path;
      longer.push_back(r1);
      CHECK_FALSE(verify_consistency(from, to, longer, r1, r2).ok());
    }
  }
}

TEST_CASE("merkle tree: a consistency proof fails when any leaf was rewritten") {
  constexpr std::uint64_t kN = 48;
  Fixture f(kN);
  for (std::uint64_t j = 0; j < kN; ++j) {
    // The log as it would look with leaf j rewritten.
    auto altered = f.leaves;
    altered[j] = flipped(altered[j]);
    for (std::uint64_t to = j + 1; to <= kN; ++to) {
      const Hash altered_to_root = reference::root(std::span(altered).first(to));
      for (std::uint64_t from = 1; from < to; ++from) {
        CAPTURE(j);
        CAPTURE(from);
        CAPTURE(to);
        const std::vector<Hash> path = *f.tree->consistency_proof(from, to);
        // A verifier holding the true old root, shown the rewritten log's new root.
        CHECK_FALSE(verify_consistency(from, to, path, f.roots[from], altered_to_root).ok());
        if (j < from) {
          // A verifier holding the rewritten log's old root, shown the true new root.
          const Hash altered_from_root = reference::root(std::span(altered).first(from));
          CHECK_FALSE(verify_consistency(from, to, path, altered_from_root, f.roots[to]).ok());
        }
      }
    }
  }
}

TEST_CASE("merkle tree: larger random sizes equal the reference") {
  std::mt19937_64 rng(2024);
  std::vector<std::uint64_t> sizes = {255, 256, 257, 1023, 1025, 4097};
  for (int k = 0; k < 3; ++k) sizes.push_back(2000 + rng() % 18000);
  for (std::uint64_t n : sizes) {
    CAPTURE(n);
    const auto leaves = synthetic_leaves(n);
    MemoryNodeStore store;
    auto tree = open_tree(store);
    append_in_batches(*tree, store, leaves, n, 300);
    REQUIRE(tree->size() == n);
    CHECK(tree->root() == reference::root(leaves));
    CHECK(*tree->root(n) == reference::root(leaves));
    for (int probe = 0; probe < 6; ++probe) {
      const std::uint64_t s = 1 + rng() % n;
      const std::uint64_t i = rng() % s;
      const std::uint64_t m = rng() % (s + 1);
      CAPTURE(s);
      CAPTURE(i);
      CAPTURE(m);
      const auto prefix = std::span(leaves).first(s);
      const Hash root_s = reference::root(prefix);
      CHECK(*tree->root(s) == root_s);
      auto ip = tree->inclusion_proof(i, s);
      REQUIRE(ip.ok());
      CHECK(*ip == reference::inclusion_path(i, prefix));
      CHECK(verify_inclusion(i, s, leaves[i], *ip, root_s).ok());
      auto cp = tree->consistency_proof(m, s);
      REQUIRE(cp.ok());
      CHECK(*cp == reference::consistency_path(m, prefix));
      CHECK(verify_consistency(m, s, *cp, *tree->root(m), root_s).ok());
    }
  }
}

TEST_CASE("merkle tree: two-phase append changes nothing until committed") {
  MemoryNodeStore store;
  auto tree = open_tree(store);
  const auto leaves = synthetic_leaves(10);
  REQUIRE(tree->append(std::span(leaves).first(5), store).ok());
  const Hash root5 = tree->root();

  PendingAppend pending = tree->prepare_append(std::span(leaves).subspan(5));
  CHECK(pending.old_size == 5);
  CHECK(pending.new_size() == 10);
  CHECK(pending.root == reference::root(leaves));
  CHECK(tree->size() == 5);
  CHECK(tree->root() == root5);

  // A transaction that fails: the pending append is dropped and the tree carries on.
  PendingAppend other = tree->prepare_append(std::span(leaves).subspan(5, 1));
  REQUIRE(store.put(other.nodes).ok());
  REQUIRE(tree->commit_append(other).ok());
  // `pending` was prepared at size 5; the tree is now at 6.
  auto stale = tree->commit_append(pending);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().code == ErrorCode::kInvalidArgument);
  CHECK(tree->size() == 6);
  REQUIRE(tree->append(std::span(leaves).subspan(6), store).ok());
  CHECK(tree->root() == reference::root(leaves));
}

TEST_CASE("merkle tree: a failing node sink leaves the tree unchanged") {
  class FailingSink final : public NodeSink {
   public:
    Status put(std::span<const Node>) override { return Error::io("disk full"); }
  };
  MemoryNodeStore store;
  auto tree = open_tree(store);
  const auto leaves = synthetic_leaves(3);
  REQUIRE(tree->append(std::span(leaves).first(2), store).ok());
  FailingSink failing;
  CHECK_FALSE(tree->append(std::span(leaves).subspan(2), failing).ok());
  CHECK(tree->size() == 2);
  CHECK(tree->root() == reference::root(std::span(leaves).first(2)));
}

TEST_CASE("merkle tree: nodes written are the complete subtrees, 2n - popcount(n) in all") {
  test::CountingNodeStore store;
  auto tree = open_tree(store);
  const auto leaves = synthetic_leaves(1000);
  for (std::uint64_t n = 1; n <= leaves.size(); ++n) {
    REQUIRE(tree->append(std::span(leaves).subspan(n - 1, 1), store).ok());
    REQUIRE(store.writes == 2 * n - static_cast<std::uint64_t>(std::popcount(n)));
  }
  CHECK(store.inner.node_count() == store.writes);
  // Out-of-order or repeated nodes are refused by the store.
  const Node again{{0, 5}, leaves[5]};
  CHECK_FALSE(store.inner.put(std::span(&again, 1)).ok());
}

TEST_CASE("merkle tree: reopening rebuilds the right edge from O(log n) reads") {
  test::CountingNodeStore store;
  const auto leaves = synthetic_leaves(1000);
  {
    auto tree = open_tree(store);
    append_in_batches(*tree, store, std::span(leaves).first(777), 1);
  }
  store.reads = 0;
  auto tree = open_tree(store);
  CHECK(store.reads == static_cast<std::uint64_t>(std::popcount(std::uint64_t{777})));
  CHECK(tree->size() == 777);
  CHECK(tree->root() == reference::root(std::span(leaves).first(777)));
  append_in_batches(*tree, store, std::span(leaves).subspan(777), 2);
  CHECK(tree->root() == reference::root(leaves));
}

TEST_CASE("merkle tree: proofs served from other threads while the tree grows all verify") {
  MemoryNodeStore store;
  auto tree = open_tree(store);
  const auto leaves = synthetic_leaves(20000);
  REQUIRE(tree->append(std::span(leaves).first(1), store).ok());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> checked{0};
  auto reader = [&](std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    while (!done.load()) {
      const std::uint64_t n = tree->size();
      const std::uint64_t i = rng() % n;
      const std::uint64_t m = rng() % (n + 1);
      auto root_n = tree->root(n);
      auto root_m = tree->root(m);
      auto ip = tree->inclusion_proof(i, n);
      auto cp = tree->consistency_proof(m, n);
      if (!root_n.ok() || !root_m.ok() || !ip.ok() || !cp.ok() ||
          !verify_inclusion(i, n, leaves[i], *ip, *root_n).ok() ||
          !verify_consistency(m, n, *cp, *root_m, *root_n).ok()) {
        ++failures;
      }
      ++checked;
    }
  };
  std::thread r1(reader, 1);
  std::thread r2(reader, 2);
  append_in_batches(*tree, store, std::span(leaves).subspan(1), 3, 64);
  done = true;
  r1.join();
  r2.join();
  CHECK(failures.load() == 0);
  CHECK(checked.load() > 0);
  CHECK(tree->root() == reference::root(leaves));
}

TEST_CASE("merkle tree: proofs at a million leaves read O(log n) nodes") {
  constexpr std::uint64_t kN = 1'000'000;
  test::CountingNodeStore store;
  auto tree = open_tree(store);
  {
    // Leaves need only be distinct here; SHA-256 of each index would double the build time.
    std::vector<Hash> batch(4096);
    std::uint64_t next = 0;
    while (next < kN) {
      const std::size_t n = std::min<std::uint64_t>(batch.size(), kN - next);
      for (std::size_t k = 0; k < n; ++k) {
        batch[k] = Hash{};
        for (int b = 0; b < 8; ++b) batch[k][b] = static_cast<std::uint8_t>((next + k) >> (8 * b));
      }
      REQUIRE(tree->append(std::span(batch).first(n), store).ok());
      next += n;
    }
  }
  REQUIRE(tree->size() == kN);
  const std::uint64_t log_n = std::bit_width(kN);  // 20
  const std::uint64_t bound = 2 * log_n + 2;
  std::mt19937_64 rng(7);
  for (int probe = 0; probe < 40; ++probe) {
    const std::uint64_t s = probe < 2 ? kN - probe : kN / 2 + rng() % (kN / 2);
    const std::uint64_t i = probe == 0 ? s - 1 : rng() % s;
    const std::uint64_t m = 1 + rng() % (s - 1);
    CAPTURE(s);
    CAPTURE(i);
    CAPTURE(m);
    store.reads = 0;
    auto root_s = tree->root(s);
    REQUIRE(root_s.ok());
    CHECK(store.reads <= log_n);
    store.reads = 0;
    auto ip = tree->inclusion_proof(i, s);
    REQUIRE(ip.ok());
    CHECK(store.reads <= bound);
    auto leaf = tree->leaf(i);
    REQUIRE(leaf.ok());
    CHECK(verify_inclusion(i, s, *leaf, *ip, *root_s).ok());

    store.reads = 0;
    auto cp = tree->consistency_proof(m, s);
    REQUIRE(cp.ok());
    CHECK(store.reads <= bound);
    CHECK(verify_consistency(m, s, *cp, *tree->root(m), *root_s).ok());
  }
}

}  // namespace
}  // namespace yici::audit
