// The hashes of the audit log's Merkle tree, RFC 9162 §2.1.1 (the same tree as RFC 6962 §2.1):
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// The 0x00/0x01 prefixes separate leaves from interior nodes (second-preimage resistance).
//
// Thread safety: all functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace yici::audit {

inline constexpr std::size_t kHashSize = 32;
using Hash = std::array<std::uint8_t, kHashSize>;

Hash leaf_hash(std::span<const std::uint8_t> leaf);
Hash leaf_hash(std::string_view leaf);
Hash node_hash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the root of a tree with no leaves.
const Hash& empty_root();

std::string hash_to_hex(const Hash& hash);

}  // namespace yici::audit
