// SHA-256 helpers over OpenSSL's one-shot API.
#pragma once

#include <array>
#include <cstdint>
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

}  // namespace yici
