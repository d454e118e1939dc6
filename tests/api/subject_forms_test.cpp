#include "hub/api/subject_forms.h"

#include <algorithm>

#include <doctest/doctest.h>

namespace yici::api {
namespace {

bool has(const std::vector<std::string>& forms, const std::string& form) {
  return std::find(forms.begin(), forms.end(), form) != forms.end();
}

TEST_CASE("subject forms: a resident ID as typed, canonical, lower-case x, full-width and 15-digit") {
  const auto forms = subject_search_forms("11010519491231002x", {"11010519491231002X"});
  CHECK(forms.front() == "11010519491231002x");  // as typed, first
  CHECK(has(forms, "11010519491231002X"));
  CHECK(has(forms, "110105491231002"));  // the old 15-digit form: no century, no check character
  CHECK(has(forms, "１１０１０５１９４９１２３１００２Ｘ"));
  CHECK(has(forms, "１１０１０５１９４９１２３１００２ｘ"));
  CHECK(forms.size() == 5);  // the typed form is the lower-case one: no duplicates
}

TEST_CASE("subject forms: no 15-digit form for an ID born after 1999, none for a credit code") {
  CHECK_FALSE(has(subject_search_forms("110105200001010018", {"110105200001010018"}), "110105000101001"));
  const auto code = subject_search_forms("91330106MA2B3C4D5E", {"91330106MA2B3C4D5E"});
  CHECK(has(code, "91330106ma2b3c4d5e"));
  CHECK(has(code, "９１３３０１０６ＭＡ２Ｂ３Ｃ４Ｄ５Ｅ"));
  CHECK(code.size() == 4);
}

TEST_CASE("subject forms: with no canonical form (not a valid subject) only the typed text is searched") {
  CHECK(subject_search_forms("not-an-id", {}) == std::vector<std::string>{"not-an-id"});
  CHECK(subject_search_forms("", {}).empty());
}

}  // namespace
}  // namespace yici::api
