// The cursor's value as a bound parameter: integers in canonical form as integers, the rest as text.
#include "adapters/common/select_builder.h"

#include <doctest/doctest.h>

namespace yici::adapters {
namespace {

TEST_CASE("cursor parameter: canonical integers are integers, everything else stays text") {
  CHECK(cursor_parameter("1000") == KeyPart(std::int64_t{1000}));
  CHECK(cursor_parameter("0") == KeyPart(std::int64_t{0}));
  CHECK(cursor_parameter("-42") == KeyPart(std::int64_t{-42}));
  CHECK(cursor_parameter("999999999999999999") == KeyPart(std::int64_t{999999999999999999}));
  // Text that would not read back as the same text: leading zeros, a sign, too many digits.
  for (const char* text : {"01000", "+1", "-0", "-", "", "1e3", "12.5", "9223372036854775808", "2026-01-02 10:00:00"}) {
    CAPTURE(text);
    CHECK(cursor_parameter(text) == KeyPart(std::string(text)));
  }
  // A YYYYMMDDHHMMSS timestamp is an integer: a TEXT column turns it back into the same text.
  CHECK(cursor_parameter("20260102100000") == KeyPart(std::int64_t{20260102100000}));
}

}  // namespace
}  // namespace yici::adapters
