#include "hub/core/hmac_sha256.h"

#include <random>
#include <string>

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace yici {
namespace {

std::string hex(const Sha256Digest& d) { return to_hex(d.data(), d.size()); }

TEST_CASE("HMAC-SHA-256: RFC 4231 test cases 1, 2 and 6 (a key longer than the block)") {
  CHECK(hex(HmacSha256(std::string(20, '\x0b')).mac({"Hi There"})) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hex(HmacSha256("Jefe").mac({"what do ya want ", "for nothing?"})) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hex(HmacSha256(std::string(131, '\xaa')).mac({"Test Using Larger Than Block-Size Key - Hash Key First"})) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HMAC-SHA-256 agrees with OpenSSL's HMAC for keys of every length around the block size") {
  std::mt19937 rng(4231);
  for (std::size_t key_len = 0; key_len <= 130; ++key_len) {
    std::string key(key_len, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    std::string a(rng() % 100, '\0');
    std::string b(rng() % 100, '\0');
    for (auto& c : a) c = static_cast<char>(rng());
    for (auto& c : b) c = static_cast<char>(rng());
    const std::string message = a + b;
    unsigned char expected[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), expected, &len);
    REQUIRE(len == 32);
    CAPTURE(key_len);
    const HmacSha256 mac(key);
    CHECK(hex(mac.mac({a, b})) == to_hex(expected, len));
    CHECK(hex(mac.mac({message})) == to_hex(expected, len));  // reusable: the same MAC twice
  }
}

}  // namespace
}  // namespace yici
