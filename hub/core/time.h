// Wall-clock time and its text forms. Times are stored and sent as RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici {

using SysTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

SysTime now_utc();
// 2026-11-22T08:30:00.123456Z
std::string format_rfc3339_micros(SysTime t);
// 2026-11-22T08:30:00Z
std::string format_rfc3339_seconds(SysTime t);
// An RFC 3339 date-time with its zone: 2026-11-22T16:30:00+08:00, 2026-11-22T08:30:00.5Z (T or a
// space between date and time, upper or lower case T and Z; fractions beyond microseconds are
// cut). A date alone, a time without a zone, or an invalid date is an error.
Result<SysTime> parse_rfc3339(std::string_view text);

}  // namespace yici
