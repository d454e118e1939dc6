#include "hub/schema/phone.h"

#include <doctest/doctest.h>

namespace yici::schema {
namespace {

TEST_CASE("mobile and landline numbers with the decorations people type") {
  const std::pair<const char*, const char*> cases[] = {
      {"13812345678", "13812345678"},
      {"138 1234 5678", "13812345678"},
      {"138-1234-5678", "13812345678"},
      {"+86 138 1234 5678", "13812345678"},
      {"+8613812345678", "13812345678"},
      {"008613812345678", "13812345678"},
      {"0571-87654321", "0571-87654321"},
      {"(0571)87654321", "0571-87654321"},
      {"057187654321", "0571-87654321"},
      {"010-62345678", "010-62345678"},  // Beijing: three-digit area code
      {"021 6123 4567", "021-61234567"},
      {"0574-8765432", "0574-8765432"},  // seven-digit local number
      {"+86 571 87654321", "0571-87654321"},
      {"12812345678", ""},   // no 12x mobile prefix
      {"1381234567", ""},    // ten digits
      {"87654321", ""},      // no area code
      {"0571-0765432", ""},  // local numbers do not start with 0
      {"12345", ""},
      {"13812345678/13912345678", ""},
      {"tel:13812345678", ""},
  };
  for (const auto& [in, want] : cases) {
    const std::string input = in;
    CAPTURE(input);
    std::string out;
    const bool ok = normalise_phone(in, out);
    CHECK(ok == (std::string_view(want) != ""));
    if (ok) CHECK(out == want);
  }
}

}  // namespace
}  // namespace yici::schema
