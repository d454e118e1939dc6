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

bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Result<SysTime> parse_rfc3339(std::string_view text) {
  const auto bad = [&] {
    // "…T10:00:00 08:00": a "+" written raw in a URL query, which means a space there.
    const bool plus_as_space = text.find(' ', 19) != std::string_view::npos;
    return Error::invalid("\"" + std::string(text.substr(0, 40)) +
                          "\" is not an RFC 3339 date-time with a zone, such as 2026-11-01T00:00:00+08:00 or "
                          "2026-10-31T16:00:00Z" +
                          (plus_as_space
                               ? std::string("; the space in it is a \"+\" written raw in a URL (write %2B), and the "
                                             "zone after it must be hh:mm")
                               : std::string()));
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits_at(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !digits_at(text, 5, 2, mo) || text[7] != '-' ||
      !digits_at(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !digits_at(text, 11, 2, h) || text[13] != ':' || !digits_at(text, 14, 2, mi) || text[16] != ':' ||
      !digits_at(text, 17, 2, sec)) {
    return bad();
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad();
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    std::int64_t scale = 100000;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      if (scale > 0) {
        micros += static_cast<std::int64_t>(text[pos] - '0') * scale;
        scale /= 10;
      }
    }
    if (pos == start) return bad();
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-' || text[pos] == ' ')) {
    // A space where the sign goes is a '+' that came through a URL query unencoded (curl
    // "...?from=2026-11-24T05:16:00+08:00"): there is no other way to read it.
    int oh = 0, om = 0;
    if (!digits_at(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits_at(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_minutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();  // no zone: whose midnight?
  }
  if (pos != text.size()) return bad();
  // A leap second (:60) counts as the second after :59.
  const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi - offset_minutes} +
                 std::chrono::seconds{sec} + std::chrono::microseconds{micros};
  return std::chrono::time_point_cast<std::chrono::microseconds>(t);
}

SysTime now_utc() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

std::string format_rfc3339_micros(SysTime t) { return format(t, true); }
std::string format_rfc3339_seconds(SysTime t) { return format(t, false); }

}  // namespace yici
