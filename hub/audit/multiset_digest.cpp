#include "hub/audit/multiset_digest.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>

#include <openssl/rand.h>

namespace yici::audit {
namespace {

// GCC's 128-bit integer (a product of two field elements fits); __extension__ keeps -Wpedantic quiet.
__extension__ using Wide = unsigned __int128;

static_assert(std::endian::native == std::endian::little, "add() reads 7-byte pieces as the low bytes of a load");

constexpr std::uint64_t kPrime = (std::uint64_t{1} << 61) - 1;

// v modulo p, but only below 2^61 + 8: 2^61 ≡ 1 (mod p), so the high bits fold onto the low ones.
// REQUIRES: v < 2^125 (then the first fold is below 2^64).
std::uint64_t fold(Wide v) {
  const std::uint64_t r = (static_cast<std::uint64_t>(v) & kPrime) + static_cast<std::uint64_t>(v >> 61);
  return (r & kPrime) + (r >> 61);
}

std::uint64_t reduce(Wide v) {
  const std::uint64_t r = fold(v);
  return r >= kPrime ? r - kPrime : r;
}

std::uint64_t mul(std::uint64_t a, std::uint64_t b) { return reduce(static_cast<Wide>(a) * b); }

std::uint64_t draw_point() {
  std::uint64_t v = 0;
  do {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
      std::random_device rd;
      v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    }
    v &= kPrime;
  } while (v == 0 || v == kPrime);
  return v;
}

}  // namespace

DigestKey DigestKey::random() {
  DigestKey key;
  key.k = draw_point();
  key.k2 = mul(key.k, key.k);
  key.r = draw_point();
  return key;
}

void MultisetDigest::add(std::string_view text, std::uint64_t number) {
  // Horner's rule over the coefficients (the length, the 7-byte pieces, the number's halves; each
  // below 2^56, so below p), two at a time: x·k² + a·k + b, where a·k does not wait for x, halves
  // the chain of dependent multiplications. Between steps x is only folded below 2^61 + 8 (so
  // x·k² + a·k + b stays below 2^124), and reduced once at the end.
  const std::size_t pieces = (text.size() + 6) / 7;
  const std::size_t n = pieces + 3;
  const auto coefficient = [&](std::size_t i) -> std::uint64_t {
    if (i == 0) return text.size() & ((std::uint64_t{1} << 56) - 1);
    if (i <= pieces) {
      const std::size_t at = (i - 1) * 7;
      std::uint64_t piece = 0;
      if (at + 8 <= text.size()) {  // one fixed-size load (little-endian: the 7 bytes are the low 56 bits)
        std::memcpy(&piece, text.data() + at, 8);
        return piece & ((std::uint64_t{1} << 56) - 1);
      }
      std::memcpy(&piece, text.data() + at, std::min<std::size_t>(7, text.size() - at));
      return piece;
    }
    return i == pieces + 1 ? number >> 32 : number & 0xFFFFFFFFU;
  };
  std::size_t i = 0;
  std::uint64_t x = 0;
  if (n % 2 == 1) x = coefficient(i++);
  for (; i < n; i += 2) {
    const Wide v = static_cast<Wide>(x) * key_.k2 + static_cast<Wide>(coefficient(i)) * key_.k + coefficient(i + 1);
    x = fold(v);
  }
  x = reduce(x);
  product_ = mul(product_, key_.r >= x ? key_.r - x : key_.r + kPrime - x);
  ++count_;
}

void MultisetDigest::merge(const MultisetDigest& other) {
  product_ = mul(product_, other.product_);
  count_ += other.count_;
}

}  // namespace yici::audit
