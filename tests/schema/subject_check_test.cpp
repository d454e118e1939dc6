#include "hub/schema/subject_check.h"

#include <doctest/doctest.h>

#include "tests/schema/schema_test_util.h"

namespace yici::schema {
namespace {

TEST_CASE("subject check: the canonical form passes, other forms are refused naming it") {
  const auto population = test::repo_schema("population");
  REQUIRE(population != nullptr);
  CHECK(check_subject(*population, "11010519491231002X").ok());
  const auto lower = check_subject(*population, "11010519491231002x");
  REQUIRE_FALSE(lower.ok());
  CHECK(lower.error().message == "not in canonical form: ask for 11010519491231002X (as records are stored)");
  CHECK_FALSE(check_subject(*population, "11010519491231002Y").ok());  // check character wrong
  CHECK_FALSE(check_subject(*population, "").ok());
  CHECK_FALSE(check_subject(*population, std::string(300, '1')).ok());
}

TEST_CASE("subject check: canonical_subject turns a lower-case x, full-width digits and a 15-digit ID into one") {
  const auto population = test::repo_schema("population");
  REQUIRE(population != nullptr);
  for (const char* form : {"11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ",
                           "110105491231002", " 11010519491231002X "}) {
    CAPTURE(form);
    const auto canonical = canonical_subject(*population, form);
    REQUIRE(canonical.ok());
    CHECK(*canonical == "11010519491231002X");
  }
  CHECK_FALSE(canonical_subject(*population, "91330106MA2B3C4D5E").ok());  // a credit code is not a resident ID
  CHECK_FALSE(canonical_subject(*population, "\xff\xfe").ok());
}

}  // namespace
}  // namespace yici::schema
