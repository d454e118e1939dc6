// Which environment variables an API source may take a password from: names and prefixes that
// hub.yaml lists, nothing else.
#include "hub/admin/source_env.h"

#include <doctest/doctest.h>

namespace yici::admin {
namespace {

TEST_CASE("source env: names match exactly, prefixes by their start, nothing by default") {
  const std::vector<std::string> allowed = {"PSB_DB_PASSWORD", "DEPT_*"};
  CHECK(env_allowed("PSB_DB_PASSWORD", allowed));
  CHECK_FALSE(env_allowed("PSB_DB_PASSWORD_2", allowed));
  CHECK_FALSE(env_allowed("PSB_DB", allowed));
  CHECK(env_allowed("DEPT_", allowed));
  CHECK(env_allowed("DEPT_AMR_PG", allowed));
  CHECK_FALSE(env_allowed("DEP", allowed));
  CHECK_FALSE(env_allowed("XDEPT_A", allowed));
  CHECK_FALSE(env_allowed("PSB_DB_PASSWORD", {}));
}

}  // namespace
}  // namespace yici::admin
