#include "hub/schema/civil_date.h"

#include <doctest/doctest.h>

namespace yici::schema {
namespace {

std::string date_text(std::string_view in) {
  CivilDate d;
  const DateParse r = parse_date(in, d);
  if (r == DateParse::kImpossible) return "impossible";
  if (r != DateParse::kOk) return "unrecognised";
  std::string out;
  append_iso_date(out, d);
  return out;
}

std::string datetime_text(std::string_view in) {
  CivilDateTime dt;
  const DateParse r = parse_datetime(in, dt);
  if (r == DateParse::kImpossible) return "impossible";
  if (r != DateParse::kOk) return "unrecognised";
  std::string out;
  if (!append_rfc3339_china(out, dt)) return "out of range";
  return out;
}

TEST_CASE("dates in the formats Chinese systems write") {
  const std::pair<const char*, const char*> cases[] = {
      {"2017-03-01", "2017-03-01"},
      {"2017-3-1", "2017-03-01"},
      {"2017/3/1", "2017-03-01"},
      {"2017/03/01", "2017-03-01"},
      {"20170301", "2017-03-01"},
      {"2017年3月1日", "2017-03-01"},
      {"2017年03月01日", "2017-03-01"},
      {"2017年3月1号", "2017-03-01"},
      {"2017.03.01", "2017-03-01"},
      {"2017-03-01 00:00:00", "2017-03-01"},
      {"2017-03-01 00:00:00.0", "2017-03-01"},
      {"2016-02-29", "2016-02-29"},
      {"2000-02-29", "2000-02-29"},
      {"2017-02-30", "impossible"},
      {"2019-02-29", "impossible"},
      {"1900-02-29", "impossible"},
      {"2017-13-01", "impossible"},
      {"2017-00-10", "impossible"},
      {"20170230", "impossible"},
      {"2017-03", "unrecognised"},
      {"17-3-1", "unrecognised"},
      {"2017-3/1", "unrecognised"},  // mixed separators
      {"2017-03-01x", "unrecognised"},
      {"March 1 2017", "unrecognised"},
      {"", "unrecognised"},
      {"2017-03-011", "unrecognised"},
      {"2024年1月5", "unrecognised"},  // no 日
      {"2024年1月5 10:00", "unrecognised"},
      {"2024年1月", "unrecognised"},
  };
  for (const auto& [in, want] : cases) {
    CAPTURE(in);
    CHECK(date_text(in) == want);
  }
}

TEST_CASE("datetimes come out as RFC 3339 in China Standard Time") {
  const std::pair<const char*, const char*> cases[] = {
      {"2024-05-06 13:45:10", "2024-05-06T13:45:10+08:00"},
      {"2024-05-06T13:45:10", "2024-05-06T13:45:10+08:00"},
      {"2024/5/6 13:45", "2024-05-06T13:45:00+08:00"},
      {"20240506134510", "2024-05-06T13:45:10+08:00"},
      {"202405061345", "2024-05-06T13:45:00+08:00"},
      {"2024-05-06", "2024-05-06T00:00:00+08:00"},
      {"2024-05-06 13:45:10.123", "2024-05-06T13:45:10+08:00"},
      {"2024-05-06T05:45:10Z", "2024-05-06T13:45:10+08:00"},
      {"2024-05-06T20:00:00Z", "2024-05-07T04:00:00+08:00"},  // crosses midnight
      {"2024-05-06T13:45:10+08:00", "2024-05-06T13:45:10+08:00"},
      {"2024-05-06T13:45:10+0800", "2024-05-06T13:45:10+08:00"},
      {"2024-05-06T00:30:00+09:00", "2024-05-05T23:30:00+08:00"},
      {"2024-12-31T23:00:00-05:00", "2025-01-01T12:00:00+08:00"},  // crosses a year
      {"2024年5月6日 13:45:10", "2024-05-06T13:45:10+08:00"},
      // Years that four digits cannot write once in China Standard Time (it was ":000-01-01…").
      {"9999-12-31T23:00:00-05:00", "out of range"},
      {"9999-12-31T20:00:00Z", "out of range"},
      {"9999-12-31T15:59:59Z", "9999-12-31T23:59:59+08:00"},
      {"1000-01-01T01:00:00+14:00", "out of range"},
      {"1000-01-01T00:00:00+08:00", "1000-01-01T00:00:00+08:00"},
      {"2024-05-06 24:00:00", "impossible"},
      {"2024-05-06 13:61", "impossible"},
      {"2024-02-30 10:00", "impossible"},
      {"2024-05-06 1345", "unrecognised"},
      {"2024-05-06 13:45:10 +08:00 junk", "unrecognised"},
  };
  for (const auto& [in, want] : cases) {
    CAPTURE(in);
    CHECK(datetime_text(in) == want);
  }
}

TEST_CASE("days_from_civil and civil_from_days agree across centuries") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    CHECK(days_from_civil(civil_from_days(d)) == d);
  }
}

}  // namespace
}  // namespace yici::schema
