#include "hub/audit/hash.h"

#include "hub/core/sha256.h"

namespace yici::audit {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// One reusable OpenSSL context per thread: creating one per hash would dominate the cost.
Sha256& thread_hasher() {
  thread_local Sha256 hasher;
  return hasher;
}

}  // namespace

Hash leaf_hash(std::span<const std::uint8_t> leaf) { return thread_hasher().update(kLeafPrefix).update(leaf).finish(); }

Hash leaf_hash(std::string_view leaf) { return thread_hasher().update(kLeafPrefix).update(leaf).finish(); }

Hash node_hash(const Hash& left, const Hash& right) {
  return thread_hasher().update(kNodePrefix).update(left).update(right).finish();
}

const Hash& empty_root() {
  static const Hash kRoot = sha256("");
  return kRoot;
}

std::string hash_to_hex(const Hash& hash) { return yici::to_hex(hash.data(), hash.size()); }

}  // namespace yici::audit
