// The order-independent digest the verifier compares the subject index with: equal for the same
// multiset in any order and any split, different for every kind of change an editor could make.
#include "hub/audit/multiset_digest.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

namespace yici::audit {
namespace {

using Pairs = std::vector<std::pair<std::string, std::uint64_t>>;

Pairs sample(std::size_t n) {
  Pairs out;
  for (std::size_t i = 0; i < n; ++i) {
    out.emplace_back("hmac-" + std::to_string(i % 37) + std::string(i % 5, '='), i);
  }
  return out;
}

MultisetDigest digest_of(const DigestKey& key, const Pairs& pairs) {
  MultisetDigest d(key);
  for (const auto& [text, number] : pairs) d.add(text, number);
  return d;
}

TEST_CASE("multiset digest: the same pairs in any order or split give the same digest") {
  const DigestKey key = DigestKey::random();
  Pairs pairs = sample(5000);
  const MultisetDigest whole = digest_of(key, pairs);
  CHECK(whole.count() == 5000);
  std::mt19937_64 rng(7);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  CHECK(digest_of(key, pairs) == whole);
  // Three pieces, folded by different digests and merged in another order.
  MultisetDigest a = digest_of(key, Pairs(pairs.begin(), pairs.begin() + 1000));
  const MultisetDigest b = digest_of(key, Pairs(pairs.begin() + 1000, pairs.begin() + 4321));
  const MultisetDigest c = digest_of(key, Pairs(pairs.begin() + 4321, pairs.end()));
  MultisetDigest merged = c;
  merged.merge(a);
  merged.merge(b);
  CHECK(merged == whole);
  CHECK(MultisetDigest(key) == digest_of(key, {}));
}

TEST_CASE("multiset digest: a missing, added, changed, moved or swapped pair changes it") {
  const DigestKey key = DigestKey::random();
  const Pairs pairs = sample(2000);
  const MultisetDigest whole = digest_of(key, pairs);
  const auto changed = [&](const auto& edit) {
    Pairs p = pairs;
    edit(p);
    return !(digest_of(key, p) == whole);
  };
  CHECK(changed([](Pairs& p) { p.erase(p.begin() + 1234); }));
  CHECK(changed([](Pairs& p) { p.emplace_back("hmac-3", 99999); }));
  CHECK(changed([](Pairs& p) { p.push_back(p[17]); }));                    // a duplicate
  CHECK(changed([](Pairs& p) { p[500].first[0] = 'H'; }));                 // another text
  CHECK(changed([](Pairs& p) { p[500].second += 1; }));                    // another number
  CHECK(changed([](Pairs& p) { p[500].first += std::string(1, '\0'); }));  // a trailing zero byte
  CHECK(changed([](Pairs& p) { p[9].second = std::uint64_t{1} << 40; }));
  // Texts swapped between two numbers: a sum of hashes would not see it; the product does.
  CHECK(changed([](Pairs& p) { std::swap(p[10].first, p[11].first); }));
  // One pair out, another in, with the same count.
  CHECK(changed([](Pairs& p) { p[0] = {"hmac-0", 7}; }));
  // The same pairs under other keys give other digests (keys are drawn afresh).
  CHECK_FALSE(digest_of(DigestKey::random(), pairs) == whole);
}

TEST_CASE("multiset digest: texts that differ only past a 7-byte piece or in length are told apart") {
  const DigestKey key = DigestKey::random();
  const std::string base = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=";  // 44 bytes, as a base64 HMAC
  MultisetDigest one(key);
  one.add(base, 5);
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::string other = base;
    other[i] = static_cast<char>(other[i] ^ 1);
    MultisetDigest d(key);
    d.add(other, 5);
    CAPTURE(i);
    CHECK_FALSE(d == one);
  }
  MultisetDigest shorter(key);
  shorter.add(base.substr(0, 43), 5);
  CHECK_FALSE(shorter == one);
}

}  // namespace
}  // namespace yici::audit
