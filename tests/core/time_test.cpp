#include "hub/core/time.h"

#include <doctest/doctest.h>

namespace yici {
namespace {

std::string utc(std::string_view text) {
  auto t = parse_rfc3339(text);
  REQUIRE_MESSAGE(t.ok(), text);
  return format_rfc3339_micros(*t);
}

TEST_CASE("parse_rfc3339: zones, fractions and separators give the same instant in UTC") {
  CHECK(utc("2026-11-24T05:16:00+08:00") == "2026-11-23T21:16:00.000000Z");
  CHECK(utc("2026-11-23T21:16:00Z") == "2026-11-23T21:16:00.000000Z");
  CHECK(utc("2026-11-23t21:16:00z") == "2026-11-23T21:16:00.000000Z");
  CHECK(utc("2026-11-23 21:16:00Z") == "2026-11-23T21:16:00.000000Z");
  CHECK(utc("2026-11-23T16:16:00-05:00") == "2026-11-23T21:16:00.000000Z");
  CHECK(utc("2026-11-24T05:16:00 08:00") == "2026-11-23T21:16:00.000000Z");  // '+' decoded as a space
  CHECK(utc("2026-01-01T00:30:00+08:00") == "2025-12-31T16:30:00.000000Z");  // back over a year's end
  CHECK(utc("2026-11-23T21:16:00.5Z") == "2026-11-23T21:16:00.500000Z");
  CHECK(utc("2026-11-23T21:16:00.123456789Z") == "2026-11-23T21:16:00.123456Z");
  CHECK(utc("2024-02-29T00:00:00Z") == "2024-02-29T00:00:00.000000Z");
  // What the audit log stores comes back unchanged.
  CHECK(utc("2026-11-22T08:30:00.123456Z") == "2026-11-22T08:30:00.123456Z");
}

TEST_CASE("parse_rfc3339: a date alone, no zone, an impossible date or trailing text is refused") {
  for (const char* bad :
       {"", "yesterday", "2026-11-23", "2026-11-23T21:16:00", "2026-11-23T21:16Z", "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T21:16:00+8:00",
        "2026-11-23T21:16:00+08:00 ", "2026-11-23T21:16:00.Z", "2026-11-23T21:16:00ZZ", "2026/11/23T21:16:00Z"}) {
    CAPTURE(bad);
    auto t = parse_rfc3339(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message.find("RFC 3339") != std::string::npos);
  }
}

TEST_CASE("parse_rfc3339: a bad zone whose + became a space in a URL query gets a hint to write %2B") {
  // "+8" sent raw: the hub sees " 8", which is no zone.
  const auto t = parse_rfc3339("2026-11-23T21:16:00 8");
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("a \"+\" written raw in a URL (write %2B)") != std::string::npos);
  CHECK(parse_rfc3339("2026-11-23T21:16:00 08:00").ok());  // read as +08:00: there is no other way to read it
  CHECK(parse_rfc3339("2026/11/23T21:16:00Z").error().message.find("%2B") == std::string::npos);
}

}  // namespace
}  // namespace yici
