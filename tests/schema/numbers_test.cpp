#include "hub/schema/numbers.h"

#include <doctest/doctest.h>

namespace yici::schema {
namespace {

std::string money(std::string_view in) {
  std::string out;
  const NumberParse r = parse_decimal(in, true, out);
  if (r.fault == NumberFault::kForeignCurrency) return "foreign:" + std::string(r.currency);
  if (r.fault != NumberFault::kNone) return "bad";
  return out;
}

TEST_CASE("registered capital as departments write it becomes exact yuan") {
  const std::pair<const char*, const char*> cases[] = {
      {"5000000", "5000000"},
      {"5,000,000", "5000000"},
      {"5000000.00", "5000000"},
      {"500万", "5000000"},
      {"500万元", "5000000"},
      {"500万人民币", "5000000"},
      {"500万元人民币", "5000000"},
      {"人民币500万元", "5000000"},
      {"500 万元", "5000000"},
      {"123.45万", "1234500"},
      {"123.456789万元", "1234567.89"},
      {"1.5亿元", "150000000"},
      {"0.0001万", "1"},
      {"100.50", "100.5"},
      {"100.50元", "100.5"},
      {"¥3,000", "3000"},
      {"0", "0"},
      {"-0", "0"},
      {"007", "7"},
      {".5", "0.5"},
      {"50万美元", "foreign:美元"},
      {"100万港币", "foreign:港币"},
      {"USD 1,000", "foreign:USD"},
      {"五百万", "bad"},
      {"500万万", "bad"},
      {"5.", "bad"},
      {"", "bad"},
      {"1e6", "bad"},
      {"12abc", "bad"},
  };
  for (const auto& [in, want] : cases) {
    CAPTURE(in);
    CHECK(money(in) == want);
  }
}

TEST_CASE("integers and decimal comparison") {
  std::int64_t v = 0;
  CHECK(parse_integer("1,234", v).fault == NumberFault::kNone);
  CHECK(v == 1234);
  CHECK(parse_integer("-9223372036854775808", v).fault == NumberFault::kNone);
  CHECK(v == INT64_MIN);
  CHECK(parse_integer("9223372036854775808", v).fault == NumberFault::kOutOfRange);
  CHECK(parse_integer("99999999999999999999999", v).fault == NumberFault::kOutOfRange);
  CHECK(parse_integer("12.5", v).fault == NumberFault::kNotANumber);
  CHECK(parse_integer("", v).fault == NumberFault::kNotANumber);
  CHECK(compare_decimal("10", "9") > 0);
  CHECK(compare_decimal("9.99", "10") < 0);
  CHECK(compare_decimal("-5", "0") < 0);
  CHECK(compare_decimal("-5", "-10") > 0);
  CHECK(compare_decimal("1.5", "1.25") > 0);
  CHECK(compare_decimal("100", "100") == 0);
}

}  // namespace
}  // namespace yici::schema
