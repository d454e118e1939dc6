#include "hub/core/time.h"

#include <cstdio>
#include <ctime>

namespace yici {
namespace {

std::string format(SysTime t, bool micros) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto frac = (t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  if (micros) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

}  // namespace

SysTime now_utc() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

std::string format_rfc3339_micros(SysTime t) { return format(t, true); }
std::string format_rfc3339_seconds(SysTime t) { return format(t, false); }

}  // namespace yici
