// OpenSSL's low-level SHA-256 functions are deprecated in 3.0 in favour of EVP, but they remain,
// and they are what the audit tree needs: measured on this machine (SHA-NI) for a 331-byte leaf,
// SHA256_Init/Update/Final take 215 ns, EVP_DigestInit_ex2/Update/Final 299 ns and the one-shot
// SHA256() 476 ns (it fetches the algorithm each call); for a 65-byte node hash, 74 ns against
// 146 ns. Both are OpenSSL's same assembly underneath; EVP adds a provider context per init.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hub/core/sha256.h"

#include <new>

#include <openssl/sha.h>

namespace yici {

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

struct Sha256::State {
  SHA256_CTX ctx;
};

Sha256::Sha256() : state_(std::make_unique<State>()) { init(); }

Sha256::~Sha256() = default;

void Sha256::init() {
  if (SHA256_Init(&state_->ctx) != 1) throw std::bad_alloc();
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
  if (!data.empty()) SHA256_Update(&state_->ctx, data.data(), data.size());
  return *this;
}

Sha256& Sha256::update(std::string_view data) {
  if (!data.empty()) SHA256_Update(&state_->ctx, data.data(), data.size());
  return *this;
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  SHA256_Final(out.data(), &state_->ctx);
  init();
  return out;
}

}  // namespace yici
