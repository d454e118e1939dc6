#include "hub/core/ids.h"

#include <set>

#include <doctest/doctest.h>

namespace yici {
namespace {

TEST_CASE("request ids are 32 hex characters and do not repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = new_request_id();
    REQUIRE(id.size() == 32);
    REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 10000);
}

TEST_CASE("client request ids are echoed only when safe for logs") {
  CHECK(is_acceptable_request_id("clerk-42.a_b:c"));
  CHECK(is_acceptable_request_id(std::string(128, 'a')));
  CHECK_FALSE(is_acceptable_request_id(std::string(129, 'a')));
  CHECK_FALSE(is_acceptable_request_id(""));
  CHECK_FALSE(is_acceptable_request_id("a b"));
  CHECK_FALSE(is_acceptable_request_id("a\"b"));
  CHECK_FALSE(is_acceptable_request_id("a\nb"));
  CHECK_FALSE(is_acceptable_request_id("编号"));
}

}  // namespace
}  // namespace yici
