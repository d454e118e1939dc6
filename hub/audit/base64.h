// Standard base64 (RFC 4648 §4: alphabet A-Z a-z 0-9 + /, '=' padding), as CONTRACT.md requires for
// hashes in audit proofs and checkpoints. Not base64url (that one lives in hub/sign).
//
// Decoding is strict: the length must be a multiple of 4, padding only at the end, no whitespace,
// and the unused bits of the last symbol must be zero, so every byte string has exactly one
// accepted encoding.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/audit/hash.h"
#include "hub/core/result.h"

namespace yici::audit {

std::string base64_encode(std::span<const std::uint8_t> bytes);
// The encoded length of `size` bytes, and the encoding written to `out` (which has room for it).
constexpr std::size_t base64_encoded_size(std::size_t size) { return (size + 2) / 3 * 4; }
void base64_encode_to(std::span<const std::uint8_t> bytes, char* out);
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// A hash in standard base64 (44 characters); fails unless it decodes to exactly 32 bytes.
inline std::string hash_to_base64(const Hash& hash) { return base64_encode(hash); }
Result<Hash> hash_from_base64(std::string_view text);

}  // namespace yici::audit
