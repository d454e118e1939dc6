// The standard RFC 6962 / RFC 9162 Merkle tree test vectors: eight leaves and the known roots,
// inclusion paths and consistency paths of the trees they form.
//
// Source: transparency-dev/merkle (the Go implementation Trillian and Go CT use), file
// proof/verify_test.go: `leaves`, `roots`, `inclusionProofs`, `consistencyProofs`; the same data as
// certificate-transparency-go's merkle tests and Chromium's net/cert/ct_log_verifier_unittest.cc.
// Their inclusion vectors number leaves from 1; here `leaf_index` is the RFC's 0-based index.
// Hash vectors (empty tree, empty leaf, "L123456") come from transparency-dev/merkle
// rfc6962/rfc6962_test.go.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/audit/hash.h"

namespace yici::audit::test {

inline Hash hash_from_hex(std::string_view hex) {
  Hash h{};
  auto nibble = [](char c) -> std::uint8_t { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i < h.size() && 2 * i + 1 < hex.size(); ++i) {
    h[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  }
  return h;
}

inline std::vector<Hash> hashes_from_hex(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> out;
  for (auto h : hexes) out.push_back(hash_from_hex(h));
  return out;
}

inline const std::vector<std::string>& rfc6962_leaves() {
  static const std::vector<std::string> leaves = {
      std::string(),
      std::string("\x00", 1),
      std::string("\x10", 1),
      std::string("\x20\x21", 2),
      std::string("\x30\x31", 2),
      std::string("\x40\x41\x42\x43", 4),
      std::string("\x50\x51\x52\x53\x54\x55\x56\x57", 8),
      std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16),
  };
  return leaves;
}

inline std::vector<Hash> rfc6962_leaf_hashes() {
  std::vector<Hash> out;
  for (const auto& leaf : rfc6962_leaves()) out.push_back(leaf_hash(leaf));
  return out;
}

// roots[n - 1] is the root of the tree of the first n leaves.
inline const std::vector<Hash>& rfc6962_roots() {
  static const std::vector<Hash> roots = hashes_from_hex({
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  });
  return roots;
}

struct InclusionVector {
  std::uint64_t leaf_index;
  std::uint64_t tree_size;
  std::vector<Hash> path;
};

inline const std::vector<InclusionVector>& rfc6962_inclusion_vectors() {
  static const std::vector<InclusionVector> v = {
      {0, 1, {}},
      {0, 8,
       hashes_from_hex({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       hashes_from_hex({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, hashes_from_hex({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       hashes_from_hex({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  return v;
}

struct ConsistencyVector {
  std::uint64_t from;
  std::uint64_t to;
  std::vector<Hash> path;
};

inline const std::vector<ConsistencyVector>& rfc6962_consistency_vectors() {
  static const std::vector<ConsistencyVector> v = {
      {1, 1, {}},
      {1, 8,
       hashes_from_hex({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       hashes_from_hex({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       hashes_from_hex({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       hashes_from_hex({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return v;
}

}  // namespace yici::audit::test
