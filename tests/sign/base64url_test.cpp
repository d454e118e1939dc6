#include "hub/sign/base64url.h"

#include <doctest/doctest.h>

namespace yici::sign {
namespace {

TEST_CASE("base64: RFC 4648 test vectors") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* std64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* url64[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64_encode(plain[i]) == std64[i]);
    CHECK(base64url_encode(plain[i]) == url64[i]);
    CHECK(base64url_decode(url64[i]).value() == plain[i]);
  }
  CHECK(base64url_encode(std::string("\xfb\xff", 2)) == "-_8");
  CHECK(base64url_decode("-_8").value() == std::string("\xfb\xff", 2));
}

TEST_CASE("base64url decoding is strict") {
  CHECK_FALSE(base64url_decode("Zg==").ok());    // padding
  CHECK_FALSE(base64url_decode("Zm9v+g").ok());  // standard alphabet
  CHECK_FALSE(base64url_decode("Z").ok());       // impossible length
  CHECK_FALSE(base64url_decode("Zh").ok());      // non-zero trailing bits ("Zg" is canonical)
  CHECK_FALSE(base64url_decode("Zm 9v").ok());
}

}  // namespace
}  // namespace yici::sign
