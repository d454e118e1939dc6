#include "hub/core/result.h"

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

namespace yici {
namespace {

Result<std::vector<std::string>> names(bool ok) {
  if (!ok) return Error::invalid("no names");
  return std::vector<std::string>{"张三", "李四"};
}

Result<int> doubled(bool ok) {
  YICI_TRY(auto list, names(ok));
  return static_cast<int>(list.size()) * 2;
}

// value() on a temporary gives the value itself, not a reference into the temporary, so a range
// for over it does not read a destroyed Result.
static_assert(std::is_same_v<decltype(names(true).value()), std::vector<std::string>>);
static_assert(std::is_same_v<decltype(std::declval<Result<int>&>().value()), int&>);

TEST_CASE("result: value of a temporary is safe to iterate, YICI_TRY passes errors on") {
  std::vector<std::string> seen;
  for (const auto& name : names(true).value()) seen.push_back(name);
  CHECK(seen == std::vector<std::string>{"张三", "李四"});
  CHECK(doubled(true).value() == 4);
  auto failed = doubled(false);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message == "no names");
  CHECK(failed.error().code == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace yici
