// Low-level SHA-256 for the same reason as sha256.cpp: deprecated in OpenSSL 3, not removed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hub/core/hmac_sha256.h"

#include <array>

#include <openssl/sha.h>

namespace yici {

struct HmacSha256::States {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

HmacSha256::HmacSha256(std::string_view key) : states_(std::make_unique<States>()) {
  constexpr std::size_t kBlock = 64;
  std::array<std::uint8_t, kBlock> block{};
  if (key.size() > kBlock) {
    const Sha256Digest digest = sha256(key);  // RFC 2104: longer keys are hashed first
    std::copy(digest.begin(), digest.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, kBlock> pad{};
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&states_->inner);
  SHA256_Update(&states_->inner, pad.data(), pad.size());
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&states_->outer);
  SHA256_Update(&states_->outer, pad.data(), pad.size());
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

Sha256Digest HmacSha256::mac(std::initializer_list<std::string_view> parts) const {
  SHA256_CTX ctx = states_->inner;
  for (const std::string_view part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Sha256Digest inner{};
  SHA256_Final(inner.data(), &ctx);
  ctx = states_->outer;
  SHA256_Update(&ctx, inner.data(), inner.size());
  Sha256Digest out{};
  SHA256_Final(out.data(), &ctx);
  return out;
}

}  // namespace yici
