// A keyed digest of a multiset of (text, number) pairs that does not depend on their order, so
// that two lists read in different orders, or in pieces by different threads, can be compared
// without sorting or storing either (the verifier compares the audit log's subject index with the
// entries this way: subject_index_check.h).
//
// Each pair is hashed to x in the field of integers modulo the prime 2^61 - 1 by a polynomial in a
// random key k (its coefficients: the text's length, the text in 7-byte pieces, the number's two
// halves), and the digest is the product of (r - x) over the multiset, for a second random r.
// Two different multisets of at most n pairs of texts up to L bytes get the same digest with
// probability below n·(L/7 + 4)/2^61 + n/2^61 over the choice of keys, whatever the pairs are: a
// writer who does not know the keys, which are drawn afresh for every comparison, cannot aim for
// a collision. Swapping the texts of two pairs, which a sum of hashes would miss, changes the product.
//
// Thread safety: a DigestKey is immutable; a MultisetDigest is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string_view>

namespace yici::audit {

struct DigestKey {
  std::uint64_t k = 0;   // the hash's point, in [1, 2^61 - 1)
  std::uint64_t k2 = 0;  // k² mod p
  std::uint64_t r = 0;   // the product's point
  // Fresh keys from the system's random source (OpenSSL's, else std::random_device).
  static DigestKey random();
};

class MultisetDigest {
 public:
  explicit MultisetDigest(const DigestKey& key) : key_(key) {}

  void add(std::string_view text, std::uint64_t number);
  // This digest becomes that of the union of both multisets (with the same key).
  void merge(const MultisetDigest& other);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] bool operator==(const MultisetDigest& other) const {
    return count_ == other.count_ && product_ == other.product_;
  }

 private:
  DigestKey key_;
  std::uint64_t product_ = 1;
  std::uint64_t count_ = 0;
};

}  // namespace yici::audit
