#include "hub/audit/base64.h"

#include <random>

#include <doctest/doctest.h>

namespace yici::audit {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST_CASE("base64: RFC 4648 section 10 test vectors encode and decode") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(bytes_of(plain)) == encoded);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes_of(plain));
  }
}

TEST_CASE("base64: the standard alphabet uses + and /, not - and _") {
  const std::vector<std::uint8_t> b = {0xfb, 0xff, 0xbf};
  CHECK(base64_encode(b) == "+/+/");
  CHECK(!base64_decode("-_-_").ok());
}

TEST_CASE("base64: malformed input is rejected") {
  for (std::string_view bad :
       {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zh==", "Zm9=", "Zm=v", "Zm9v*A=="}) {
    CAPTURE(bad);
    CHECK(!base64_decode(bad).ok());
  }
}

TEST_CASE("base64: random byte strings round-trip") {
  std::mt19937_64 rng(42);
  for (int len = 0; len < 100; ++len) {
    std::vector<std::uint8_t> b(static_cast<std::size_t>(len));
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    const std::string e = base64_encode(b);
    CHECK(e.size() == (b.size() + 2) / 3 * 4);
    auto d = base64_decode(e);
    REQUIRE(d.ok());
    CHECK(*d == b);
  }
}

TEST_CASE("base64: hashes are exactly 32 bytes") {
  Hash h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i * 7);
  const std::string e = hash_to_base64(h);
  CHECK(e.size() == 44);
  auto back = hash_from_base64(e);
  REQUIRE(back.ok());
  CHECK(*back == h);
  CHECK(!hash_from_base64("Zm9v").ok());
  CHECK(!hash_from_base64(base64_encode(std::vector<std::uint8_t>(33, 1))).ok());
}

}  // namespace
}  // namespace yici::audit
