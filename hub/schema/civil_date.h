// Calendar dates as the normaliser handles them: parsing the formats Chinese department systems
// write, checking they exist, and formatting ISO 8601 / RFC 3339.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yici::schema {

struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

struct CivilDateTime {
  CivilDate date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::optional<int> offset_minutes;  // nullopt: the source gave no zone
};

bool is_leap_year(int year);
bool is_real_date(int year, int month, int day);  // Feb 30, month 13, day 0 → false

// Days since 1970-01-01 (proleptic Gregorian), and back.
std::int64_t days_from_civil(const CivilDate& d);
CivilDate civil_from_days(std::int64_t days);

// Today's date in China Standard Time (UTC+8), from the system clock.
CivilDate today_in_china();

enum class DateParse { kOk, kUnrecognised, kImpossible };

// Parses "2017-03-01", "2017-3-1", "2017/3/1", "2017.03.01", "20170301", "2017年3月1日", each
// optionally followed by a time (and zone) as `parse_datetime` accepts. Expects half-width digits.
DateParse parse_date(std::string_view text, CivilDate& out);

// Parses a date (as above) with an optional time "HH:MM[:SS[.fraction]]" after a space or "T",
// "YYYYMMDDHHMM[SS]", and an optional zone "Z", "+08:00", "+0800", "+08". A bare date is midnight.
DateParse parse_datetime(std::string_view text, CivilDateTime& out);

// "YYYY-MM-DD".
void append_iso_date(std::string& out, const CivilDate& d);
// "YYYY-MM-DDTHH:MM:SS+08:00": converted to China Standard Time; a time without a zone is taken
// to be China Standard Time already. False, with nothing written, when the time in China Standard
// Time falls outside the years 1000–9999 (9999-12-31T23:00:00-05:00 is in year 10000 there).
[[nodiscard]] bool append_rfc3339_china(std::string& out, const CivilDateTime& dt);

}  // namespace yici::schema
