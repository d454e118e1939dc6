#include "hub/audit/reference_tree.h"

#include <doctest/doctest.h>

#include "tests/audit/rfc6962_vectors.h"

namespace yici::audit {
namespace {

using test::rfc6962_leaf_hashes;

TEST_CASE("reference tree: roots of the RFC 6962 test leaves for sizes 0 to 8") {
  const auto leaves = rfc6962_leaf_hashes();
  CHECK(reference::root({}) == empty_root());
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    CAPTURE(n);
    CHECK(hash_to_hex(reference::root(std::span(leaves).first(n))) == hash_to_hex(test::rfc6962_roots()[n - 1]));
  }
}

TEST_CASE("reference tree: inclusion paths of the RFC 6962 test vectors") {
  const auto leaves = rfc6962_leaf_hashes();
  for (const auto& v : test::rfc6962_inclusion_vectors()) {
    CAPTURE(v.leaf_index);
    CAPTURE(v.tree_size);
    CHECK(reference::inclusion_path(v.leaf_index, std::span(leaves).first(v.tree_size)) == v.path);
  }
}

TEST_CASE("reference tree: consistency paths of the RFC 6962 test vectors") {
  const auto leaves = rfc6962_leaf_hashes();
  for (const auto& v : test::rfc6962_consistency_vectors()) {
    CAPTURE(v.from);
    CAPTURE(v.to);
    CHECK(reference::consistency_path(v.from, std::span(leaves).first(v.to)) == v.path);
  }
}

TEST_CASE("reference tree: split point is the largest power of two below n") {
  CHECK(reference::split_point(2) == 1);
  CHECK(reference::split_point(3) == 2);
  CHECK(reference::split_point(4) == 2);
  CHECK(reference::split_point(5) == 4);
  CHECK(reference::split_point(8) == 4);
  CHECK(reference::split_point(9) == 8);
  CHECK(reference::split_point(std::uint64_t{1} << 40) == std::uint64_t{1} << 39);
}

TEST_CASE("reference tree: small trees by hand") {
  const auto l = rfc6962_leaf_hashes();
  // Three leaves: ((0 1) 2).
  CHECK(reference::root(std::span(l).first(3)) == node_hash(node_hash(l[0], l[1]), l[2]));
  CHECK(reference::inclusion_path(2, std::span(l).first(3)) == std::vector<Hash>{node_hash(l[0], l[1])});
  CHECK(reference::inclusion_path(0, std::span(l).first(3)) == std::vector<Hash>{l[1], l[2]});
  // PROOF(3, D[4]) = {d2, d3, H(d0 d1)}.
  CHECK(reference::consistency_path(3, std::span(l).first(4)) == std::vector<Hash>{l[2], l[3], node_hash(l[0], l[1])});
  CHECK(reference::consistency_path(0, std::span(l).first(4)).empty());
  CHECK(reference::consistency_path(4, std::span(l).first(4)).empty());
}

}  // namespace
}  // namespace yici::audit
