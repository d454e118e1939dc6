#include "hub/audit/proof_verify.h"

#include <doctest/doctest.h>

#include "hub/audit/reference_tree.h"
#include "tests/audit/merkle_test_util.h"
#include "tests/audit/rfc6962_vectors.h"

namespace yici::audit {
namespace {

using test::flipped;

const Hash kSomeHash = test::hash_from_hex("abacaba000000000000000000000000000000000000000000060061e00123456");

std::vector<Hash> with(std::vector<Hash> path, const Hash& h, bool front) {
  path.insert(front ? path.begin() : path.end(), h);
  return path;
}

// The mutations of transparency-dev/merkle proof/verify_test.go corruptInclusionProof.
void check_inclusion_probes(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& path,
                            const Hash& root) {
  REQUIRE(verify_inclusion(index, size, leaf, path, root).ok());
  auto rejects = [&](std::uint64_t i, std::uint64_t s, const Hash& l, const std::vector<Hash>& p, const Hash& r) {
    CHECK_FALSE(verify_inclusion(i, s, l, p, r).ok());
  };
  rejects(index - 1, size, leaf, path, root);
  rejects(index + 1, size, leaf, path, root);
  rejects(index ^ 2, size, leaf, path, root);
  rejects(index, size * 2, leaf, path, root);
  rejects(index, size / 2, leaf, path, root);
  rejects(index, size, flipped(leaf), path, root);
  rejects(index, size, leaf, path, empty_root());
  rejects(index, size, leaf, path, kSomeHash);
  rejects(index, size, leaf, with(path, Hash{}, false), root);
  rejects(index, size, leaf, with(path, root, false), root);
  rejects(index, size, leaf, with(path, Hash{}, true), root);
  rejects(index, size, leaf, with(path, root, true), root);
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto p = path;
    p[i] = flipped(p[i]);
    rejects(index, size, leaf, p, root);
  }
  if (!path.empty()) rejects(index, size, leaf, std::vector<Hash>(path.begin(), path.end() - 1), root);
  if (path.size() > 1) {
    auto p = path;
    p.insert(p.begin() + 1, kSomeHash);
    rejects(index, size, leaf, p, root);
  }
}

// The mutations of transparency-dev/merkle proof/verify_test.go corruptConsistencyProof.
void check_consistency_probes(std::uint64_t from, std::uint64_t to, const std::vector<Hash>& path,
                              const Hash& from_root, const Hash& to_root) {
  REQUIRE(verify_consistency(from, to, path, from_root, to_root).ok());
  if (path.empty()) return;
  auto rejects = [&](std::uint64_t f, std::uint64_t t, const std::vector<Hash>& p, const Hash& fr, const Hash& tr) {
    CHECK_FALSE(verify_consistency(f, t, p, fr, tr).ok());
  };
  rejects(from - 1, to, path, from_root, to_root);
  rejects(from + 1, to, path, from_root, to_root);
  rejects(from ^ 2, to, path, from_root, to_root);
  rejects(from, to * 2, path, from_root, to_root);
  rejects(from, to / 2, path, from_root, to_root);
  rejects(from, to, path, kSomeHash, to_root);
  rejects(from, to, path, from_root, kSomeHash);
  rejects(from, to, path, to_root, from_root);
  rejects(from, to, {}, from_root, to_root);
  rejects(from, to, with(path, Hash{}, false), from_root, to_root);
  rejects(from, to, with(path, from_root, false), from_root, to_root);
  rejects(from, to, with(path, to_root, false), from_root, to_root);
  rejects(from, to, with(path, Hash{}, true), from_root, to_root);
  rejects(from, to, with(path, from_root, true), from_root, to_root);
  rejects(from, to, with(path, to_root, true), from_root, to_root);
  rejects(from, to, with(path, path[0], true), from_root, to_root);
  rejects(from, to, std::vector<Hash>(path.begin(), path.end() - 1), from_root, to_root);
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto p = path;
    p[i] = flipped(p[i]);
    rejects(from, to, p, from_root, to_root);
  }
}

TEST_CASE("proof verify: RFC 6962 inclusion vectors verify and their corruptions do not") {
  const auto leaves = test::rfc6962_leaf_hashes();
  for (const auto& v : test::rfc6962_inclusion_vectors()) {
    CAPTURE(v.leaf_index);
    CAPTURE(v.tree_size);
    auto r = root_from_inclusion_path(v.leaf_index, v.tree_size, leaves[v.leaf_index], v.path);
    REQUIRE(r.ok());
    CHECK(*r == test::rfc6962_roots()[v.tree_size - 1]);
    if (v.tree_size > 1) {
      check_inclusion_probes(v.leaf_index, v.tree_size, leaves[v.leaf_index], v.path,
                             test::rfc6962_roots()[v.tree_size - 1]);
    }
  }
}

TEST_CASE("proof verify: RFC 6962 consistency vectors verify and their corruptions do not") {
  for (const auto& v : test::rfc6962_consistency_vectors()) {
    CAPTURE(v.from);
    CAPTURE(v.to);
    check_consistency_probes(v.from, v.to, v.path, test::rfc6962_roots()[v.from - 1], test::rfc6962_roots()[v.to - 1]);
  }
}

TEST_CASE("proof verify: inclusion edge cases (transparency-dev TestVerifyInclusion)") {
  const std::vector<Hash> none;
  for (auto [index, size] : {std::pair<std::uint64_t, std::uint64_t>{0, 0}, {1, 0}, {2, 1}, {1, 1}}) {
    CAPTURE(index);
    CAPTURE(size);
    auto st = verify_inclusion(index, size, kSomeHash, none, kSomeHash);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kInvalidArgument);
  }
  // A one-leaf tree: the root is the leaf hash and the path is empty.
  const Hash leaf = leaf_hash(std::string_view("data"));
  CHECK(verify_inclusion(0, 1, leaf, none, leaf).ok());
  CHECK_FALSE(verify_inclusion(0, 1, leaf, none, kSomeHash).ok());
  CHECK_FALSE(verify_inclusion(0, 1, leaf, std::vector<Hash>{leaf}, node_hash(leaf, leaf)).ok());
  // A wrong root is reported as corruption, a path of the wrong length as invalid.
  auto wrong_root = verify_inclusion(0, 2, leaf, std::vector<Hash>{leaf}, kSomeHash);
  REQUIRE_FALSE(wrong_root.ok());
  CHECK(wrong_root.error().code == ErrorCode::kCorruption);
  auto short_path = verify_inclusion(0, 2, leaf, none, leaf);
  REQUIRE_FALSE(short_path.ok());
  CHECK(short_path.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("proof verify: consistency edge cases (transparency-dev TestVerifyConsistency)") {
  const Hash r1 = leaf_hash(std::string_view("don't care 1"));
  const Hash r2 = leaf_hash(std::string_view("don't care 2"));
  const std::vector<Hash> none;
  const std::vector<Hash> one{empty_root()};
  CHECK_FALSE(verify_consistency(0, 0, none, r1, r2).ok());
  CHECK_FALSE(verify_consistency(1, 1, none, r1, r2).ok());
  CHECK(verify_consistency(0, 0, none, r1, r1).ok());
  CHECK(verify_consistency(0, 1, none, r1, r2).ok());
  CHECK(verify_consistency(1, 1, none, r2, r2).ok());
  CHECK_FALSE(verify_consistency(1, 0, none, r1, r2).ok());
  CHECK_FALSE(verify_consistency(2, 1, none, r1, r2).ok());
  CHECK_FALSE(verify_consistency(1, 2, none, r1, r2).ok());
  CHECK_FALSE(verify_consistency(0, 0, none, empty_root(), r2).ok());
  CHECK_FALSE(verify_consistency(1, 1, none, empty_root(), r2).ok());
  CHECK_FALSE(verify_consistency(0, 0, one, empty_root(), empty_root()).ok());
  CHECK_FALSE(verify_consistency(0, 1, one, empty_root(), empty_root()).ok());
  CHECK_FALSE(verify_consistency(1, 1, one, empty_root(), empty_root()).ok());
}

TEST_CASE("proof verify: path length formulas match the reference proofs") {
  const auto leaves = test::synthetic_leaves(70);
  for (std::uint64_t n = 1; n <= leaves.size(); ++n) {
    const auto d = std::span(leaves).first(n);
    for (std::uint64_t m = 0; m < n; ++m) {
      CAPTURE(n);
      CAPTURE(m);
      CHECK(inclusion_path_length(m, n) == reference::inclusion_path(m, d).size());
    }
    for (std::uint64_t m = 0; m <= n; ++m) {
      CAPTURE(n);
      CAPTURE(m);
      CHECK(consistency_path_length(m, n) == reference::consistency_path(m, d).size());
    }
  }
}

}  // namespace
}  // namespace yici::audit
