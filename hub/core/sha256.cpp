#include "hub/core/sha256.h"

#include <new>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace yici {
namespace {

// Fetched once: an implicit fetch on every EVP_DigestInit_ex costs more than hashing 65 bytes.
const EVP_MD* sha256_md() {
  static EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kMd;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
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

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || sha256_md() == nullptr) {
    EVP_MD_CTX_free(ctx_);
    throw std::bad_alloc();
  }
  init();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::init() {
  if (EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr) != 1) throw std::bad_alloc();
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
  return *this;
}

Sha256& Sha256::update(std::string_view data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
  return *this;
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &len);
  init();
  return out;
}

}  // namespace yici
