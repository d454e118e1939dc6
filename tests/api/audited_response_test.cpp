#include "hub/api/audited_response.h"

#include <doctest/doctest.h>

namespace yici::api {
namespace {

bool jose_for(const std::string& accept) {
  Request r;
  r.headers.emplace_back("accept", accept);
  return accepts_jose(r);
}

TEST_CASE("accepts_jose: application/jose in any case and position, unless its q is 0") {
  CHECK(jose_for("application/jose"));
  CHECK(jose_for("APPLICATION/JOSE"));
  CHECK(jose_for("application/json, Application/Jose;q=0.5"));
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
