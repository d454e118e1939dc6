#include "hub/core/json_unique_keys.h"

#include <doctest/doctest.h>

namespace yici {
namespace {

std::string problem(std::string_view text) {
  auto r = parse_json_unique_keys(text);
  return r ? std::string() : r.error().message;
}

TEST_CASE("json unique keys: a member name twice in one object is refused, wherever the object is") {
  CHECK(problem(R"({"purpose":"a","purpose":"b"})") == "\"purpose\" appears twice in one object");
  CHECK(problem(R"({"items":[{"dataset":"x","subject":"1","subject":"2"}]})") ==
        "\"subject\" appears twice in one object");
  CHECK(problem(R"({"a":{"b":{"c":1,"c":2}}})") == "\"c\" appears twice in one object");
  // The same name written two ways is one name.
  CHECK(problem(R"({"a":1,"\u0061":2})") == "\"a\" appears twice in one object");
  // One name in different objects, or once each at two depths, is fine; so is the value.
  auto ok = parse_json_unique_keys(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"a"})");
  REQUIRE(ok.ok());
  CHECK(ok->at("b").as_array().size() == 2);
  CHECK(ok->at("a").at("a").as_int64() == 1);
  // Not JSON at all: the parse problem, not a repeated name.
  CHECK(problem("{\"a\":").rfind("not JSON: ", 0) == 0);
  CHECK(problem("[1,2] 3").rfind("not JSON: ", 0) == 0);
  CHECK(parse_json_unique_keys("[]").ok());
}

}  // namespace
}  // namespace yici
