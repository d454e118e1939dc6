// Wall-clock time and its text forms. Times are stored and sent as RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace yici {

using SysTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

SysTime now_utc();
// 2026-11-22T08:30:00.123456Z
std::string format_rfc3339_micros(SysTime t);
// 2026-11-22T08:30:00Z
std::string format_rfc3339_seconds(SysTime t);

}  // namespace yici
