#include "hub/api/query_params.h"

#include <doctest/doctest.h>

namespace yici::api {
namespace {

Request with(std::vector<std::pair<std::string, std::string>> query) {
  Request r;
  r.query = std::move(query);
  return r;
}

TEST_CASE("query parameters: known ones once each pass, unknown or repeated ones are named") {
  CHECK(check_query_params(with({}), {"index", "size"}).ok());
  CHECK(check_query_params(with({{"size", "5"}, {"index", "1"}}), {"index", "size"}).ok());

  const auto unknown = check_query_params(with({{"index", "1"}, {"sise", "5"}}), {"index", "size"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "unknown parameter \"sise\"; known: index, size");

  const auto twice = check_query_params(with({{"index", "1"}, {"size", "5"}, {"index", "2"}}), {"index", "size"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message == "index is given more than once");

  const auto none = check_query_params(with({{"x", ""}}), {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "unknown parameter \"x\"; this request takes none");
}

}  // namespace
}  // namespace yici::api
