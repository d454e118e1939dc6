// SHA-256 helpers over OpenSSL: a one-shot digest and an incremental hasher.
//
// Thread safety: the free functions are thread-safe; a Sha256 object is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace yici {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string sha256_hex(std::string_view data) {
  const auto d = sha256(data);
  return to_hex(d.data(), d.size());
}

// Incremental SHA-256: hash several parts without concatenating them first. Reusable: finish()
// returns the digest and starts a new, empty hash.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::span<const std::uint8_t> data);
  Sha256& update(std::string_view data);
  Sha256& update(std::uint8_t byte) { return update(std::span<const std::uint8_t>(&byte, 1)); }
  Sha256Digest finish();

 private:
  struct State;  // OpenSSL's SHA256_CTX
  void init();
  std::unique_ptr<State> state_;
};

}  // namespace yici
