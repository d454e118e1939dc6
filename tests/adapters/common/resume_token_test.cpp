#include "adapters/common/resume_token.h"

#include <limits>

#include <doctest/doctest.h>

namespace yici::adapters {
namespace {

TEST_CASE("resume token: integers and any text survive the round trip with their types") {
  const std::vector<KeyPart> parts = {std::numeric_limits<std::int64_t>::min(), std::string("330102199001011234"),
                                      std::numeric_limits<std::int64_t>::max(),
                                      std::string("引号\" 反斜杠\\ \x1f 换行\n"), std::string()};
  const std::string token = encode_resume_token(parts);
  auto back = decode_resume_token(token, parts.size());
  REQUIRE(back.ok());
  CHECK(*back == parts);
  // An integer written as text stays text: "10" sorts before "2", 10 after 2.
  CHECK(encode_resume_token({std::int64_t{10}}) == "[10]");
  CHECK(encode_resume_token({std::string("10")}) == R"(["10"])");
  CHECK(std::holds_alternative<std::string>(decode_resume_token(R"(["10"])", 1).value()[0]));
}

TEST_CASE("resume token: anything but one integer or string per key column is refused, naming the token") {
  for (const char* bad : {"", "[", "null", "{}", R"("a")", "[]", R"(["a","b"])", "[1.5]", "[true]", "[null]", "[[1]]",
                          "[18446744073709551615]"}) {
    CAPTURE(bad);
    auto r = decode_resume_token(bad, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("resume position") == 0);
  }
  // The message never quotes the token: it holds key values, which are often subjects.
  auto r = decode_resume_token(R"(["330102199001011234", 7])", 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("330102199001011234") == std::string::npos);
}

}  // namespace
}  // namespace yici::adapters
