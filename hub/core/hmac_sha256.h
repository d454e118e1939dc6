// HMAC-SHA-256 (RFC 2104) with the key's inner and outer hash states computed once.
//
// The audit log keys every subject with an HMAC, once per lookup. OpenSSL's HMAC() fetches the
// algorithm and re-derives the padded key on every call; here a MAC costs two SHA-256 finishes.
//
// Thread safety: immutable after construction; mac() may run concurrently.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>

#include "hub/core/sha256.h"

namespace yici {

class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // The MAC of the concatenation of `parts`.
  [[nodiscard]] Sha256Digest mac(std::initializer_list<std::string_view> parts) const;

 private:
  struct States;  // OpenSSL's SHA256_CTX after the inner and the outer padded key
  std::unique_ptr<States> states_;
};

}  // namespace yici
