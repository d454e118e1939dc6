#include "hub/audit/hash.h"

#include <doctest/doctest.h>

#include "hub/core/sha256.h"
#include "tests/audit/rfc6962_vectors.h"

namespace yici::audit {
namespace {

// Vectors from transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher).
TEST_CASE("merkle hash: RFC 6962 empty tree, empty leaf and leaf vectors") {
  CHECK(hash_to_hex(empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_to_hex(leaf_hash(std::string_view())) ==
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  CHECK(hash_to_hex(leaf_hash(std::string_view("L123456"))) ==
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  // The empty tree and the tree of one empty leaf differ.
  CHECK(empty_root() != leaf_hash(std::string_view()));
}

TEST_CASE("merkle hash: node hash is SHA-256 over 0x01 || left || right") {
  const Hash l = leaf_hash(std::string_view("Hello"));
  const Hash r = leaf_hash(std::string_view("World"));
  std::string concat(1, '\x01');
  concat.append(reinterpret_cast<const char*>(l.data()), l.size());
  concat.append(reinterpret_cast<const char*>(r.data()), r.size());
  CHECK(node_hash(l, r) == sha256(concat));
  CHECK(node_hash(l, r) != node_hash(r, l));
  // Second-preimage resistance: a node is not the leaf of its children's concatenation.
  CHECK(node_hash(l, r) != leaf_hash(std::string_view(concat).substr(1)));
}

TEST_CASE("merkle hash: span and string_view leaf hashes agree, and match a one-shot SHA-256") {
  const std::string data = "\x00\x01\x02 some bytes";
  const std::vector<std::uint8_t> bytes(data.begin(), data.end());
  CHECK(leaf_hash(bytes) == leaf_hash(std::string_view(data)));
  CHECK(leaf_hash(std::string_view(data)) == sha256(std::string(1, '\0') + data));
  // The thread's hasher is reset between calls: the same input twice gives the same hash.
  CHECK(leaf_hash(std::string_view(data)) == leaf_hash(std::string_view(data)));
}

}  // namespace
}  // namespace yici::audit
