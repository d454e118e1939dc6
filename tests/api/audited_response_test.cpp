#include "hub/api/audited_response.h"

#include <doctest/doctest.h>

namespace yici::api {
namespace {

bool jose_for(const std::string& accept) {
  Request r;
  r.headers.emplace_back("accept", accept);
  return accepts_jose(r);
}

TEST_CASE("accepts_jose: application/jose in any case and position, weighed against JSON, unless its q is 0") {
  CHECK(jose_for("application/jose"));
  CHECK(jose_for("APPLICATION/JOSE"));
  CHECK(jose_for("application/json;q=0.4, Application/Jose;q=0.5"));
  CHECK(jose_for("application/json, application/jose"));                   // equal weights: the one asked for by name
  CHECK(jose_for("*/*, application/jose;q=0.9, application/json;q=0.1"));  // the exact range counts
  CHECK(jose_for("application/jose;q=0.1, */*;q=0.05"));
  // JSON weighed higher, by name or by a wildcard: JSON (the q values were ignored).
  CHECK_FALSE(jose_for("application/json, Application/Jose;q=0.5"));
  CHECK_FALSE(jose_for("application/jose;q=0.5, application/json;q=1"));
  CHECK_FALSE(jose_for("application/jose;q=0.5, */*"));
  CHECK_FALSE(jose_for("application/jose;q=0.5, application/*;q=0.8, */*;q=0.1"));
  CHECK(jose_for("application/jose ; q=1"));
  CHECK(jose_for("application/jose;charset=utf-8"));
  CHECK_FALSE(jose_for("application/jose;q=0"));
  CHECK_FALSE(jose_for("application/jose; q=0.000"));
  CHECK_FALSE(jose_for("application/json"));
  CHECK_FALSE(jose_for("*/*"));
  CHECK_FALSE(jose_for("application/jose-x"));
  CHECK_FALSE(jose_for("text/plain;note=application/jose"));
  CHECK_FALSE(accepts_jose(Request{}));
}

}  // namespace
}  // namespace yici::api
