#include "hub/ingest/cursor.h"

#include <cctype>
#include <cstdio>
#include <optional>

namespace yici::ingest {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int num(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civil_from_days(long long z, int& y, int& m, int& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<long long>(yoe) + era * 400 + (m <= 2));
}

// A timestamp cursor, split into its parts; `rest` is where its suffix (fraction, zone) starts.
struct Timestamp {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::size_t rest = 0;
  bool has_time = false;
  bool compact = false;
  [[nodiscard]] long long seconds() const {
    return days_from_civil(y, mo, d) * 86400 + static_cast<long long>(h) * 3600 + mi * 60LL + s;
  }
};

bool is_integer_cursor(std::string_view value) {
  const std::string_view unsigned_part = !value.empty() && value[0] == '-' ? value.substr(1) : value;
  return !unsigned_part.empty() && unsigned_part.find_first_not_of("0123456789") == std::string_view::npos &&
         value.size() != 14;
}

Result<Timestamp> parse_timestamp(std::string_view value) {
  Timestamp t;
  if (value.size() == 14 && digits(value, 0, 14)) {
    t.compact = true;
    t.has_time = true;
    t.y = num(value, 0, 4), t.mo = num(value, 4, 2), t.d = num(value, 6, 2);
    t.h = num(value, 8, 2), t.mi = num(value, 10, 2), t.s = num(value, 12, 2);
    t.rest = 14;
  } else if (digits(value, 0, 4) && value.size() >= 10 && value[4] == '-' && digits(value, 5, 2) && value[7] == '-' &&
             digits(value, 8, 2)) {
    t.y = num(value, 0, 4), t.mo = num(value, 5, 2), t.d = num(value, 8, 2);
    t.rest = 10;
    if (value.size() >= 19 && (value[10] == ' ' || value[10] == 'T') && digits(value, 11, 2) && value[13] == ':' &&
        digits(value, 14, 2) && value[16] == ':' && digits(value, 17, 2)) {
      t.has_time = true;
      t.h = num(value, 11, 2), t.mi = num(value, 14, 2), t.s = num(value, 17, 2);
      t.rest = 19;
    }
  } else {
    return Error::invalid("cursor value \"" + std::string(value) +
                          "\" is neither a timestamp nor an integer; an overlap needs a timestamp cursor");
  }
  if (t.mo < 1 || t.mo > 12 || t.d < 1 || t.d > 31 || t.h > 23 || t.mi > 59 || t.s > 60) {
    return Error::invalid("cursor value \"" + std::string(value) + "\" is not a valid date-time");
  }
  return t;
}

// The zone a timestamp's suffix names: an optional fraction, then Z, ±HH:MM or ±HHMM. nullopt
// when it names none (or something else: the source's zone is assumed).
std::optional<std::chrono::minutes> zone_of(std::string_view suffix) {
  std::size_t i = 0;
  if (i < suffix.size() && suffix[i] == '.') {
    ++i;
    while (i < suffix.size() && std::isdigit(static_cast<unsigned char>(suffix[i]))) ++i;
  }
  const std::string_view zone = suffix.substr(i);
  if (zone == "Z" || zone == "z") return std::chrono::minutes(0);
  if (zone.size() < 5 || (zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2)) return std::nullopt;
  std::size_t minutes_at = 3;
  if (zone[3] == ':') minutes_at = 4;
  if (zone.size() != minutes_at + 2 || !digits(zone, minutes_at, 2)) return std::nullopt;
  const int h = num(zone, 1, 2);
  const int m = num(zone, minutes_at, 2);
  if (h > 14 || m > 59) return std::nullopt;
  return std::chrono::minutes((zone[0] == '-' ? -1 : 1) * (h * 60 + m));
}

}  // namespace

Result<std::string> rewind_cursor(std::string_view value, std::chrono::milliseconds overlap) {
  if (is_integer_cursor(value)) return std::string(value);
  YICI_TRY(Timestamp t, parse_timestamp(value));
  // The suffix (fraction, zone) is kept as is: the overlap is whole seconds and up.
  const std::string_view suffix = value.substr(t.rest);
  long long total = t.seconds();
  total -= (overlap.count() + 999) / 1000;
  long long days = total / 86400;
  long long secs = total % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int y = 0, mo = 0, d = 0;
  civil_from_days(days, y, mo, d);
  const int h = static_cast<int>(secs / 3600);
  const int mi = static_cast<int>(secs % 3600 / 60);
  const int s = static_cast<int>(secs % 60);
  char buf[40];
  if (t.compact) {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi, s);
  } else if (t.has_time) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, value[10], h, mi, s);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
  }
  return std::string(buf) + std::string(suffix);
}

CursorCheck check_cursor(std::string_view value, std::chrono::system_clock::time_point latest,
                         std::chrono::minutes zone) {
  if (is_integer_cursor(value)) return CursorCheck::kUsable;
  auto t = parse_timestamp(value);
  if (!t) return CursorCheck::kUnreadable;
  const long long offset = zone_of(value.substr(t->rest)).value_or(zone).count() * 60;
  const long long limit = std::chrono::duration_cast<std::chrono::seconds>(latest.time_since_epoch()).count();
  return t->seconds() - offset > limit ? CursorCheck::kFuture : CursorCheck::kUsable;
}

Result<std::chrono::minutes> parse_cursor_zone(std::string_view text) {
  if (text == "UTC" || text == "Z") return std::chrono::minutes(0);
  if (auto zone = zone_of(text); zone && text.size() == 6 && text[3] == ':') return *zone;
  return Error::invalid("\"" + std::string(text) + "\" is not a time zone: give an offset such as +08:00, or UTC");
}

bool cursor_less(std::string_view a, std::string_view b) {
  auto integer = [](std::string_view v, long long& out) {
    if (v.empty() || v.size() > 18) return false;
    std::size_t i = v[0] == '-' ? 1 : 0;
    if (i == v.size()) return false;
    long long n = 0;
    for (; i < v.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
      n = n * 10 + (v[i] - '0');
    }
    out = v[0] == '-' ? -n : n;
    return true;
  };
  long long x = 0, y = 0;
  if (integer(a, x) && integer(b, y)) return x < y;
  return a < b;
}

}  // namespace yici::ingest
