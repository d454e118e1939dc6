#include "hub/schema/civil_date.h"

#include <chrono>

namespace yici::schema {
namespace {

constexpr int kChinaOffsetMinutes = 8 * 60;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits digits at text[i]; false when there are none.
bool read_number(std::string_view text, std::size_t& i, int max_digits, int& value, int* digits_read = nullptr) {
  int n = 0;
  value = 0;
  while (i < text.size() && is_digit(text[i]) && n < max_digits) {
    value = value * 10 + (text[i] - '0');
    ++i;
    ++n;
  }
  if (digits_read != nullptr) *digits_read = n;
  return n > 0;
}

int fixed_digits(std::string_view s) {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

bool consume(std::string_view text, std::size_t& i, std::string_view token) {
  if (text.substr(i, token.size()) == token) {
    i += token.size();
    return true;
  }
  return false;
}

// Parses "[ T]HH:MM[:SS[.fff]][zone]" from text[i..]; the whole remainder must be consumed.
DateParse parse_time_and_zone(std::string_view text, std::size_t i, CivilDateTime& out) {
  if (i == text.size()) return DateParse::kOk;
  if (text[i] != ' ' && text[i] != 'T' && text[i] != 't') return DateParse::kUnrecognised;
  while (i < text.size() && (text[i] == ' ' || text[i] == 'T' || text[i] == 't')) ++i;
  int digits = 0;
  if (!read_number(text, i, 2, out.hour, &digits)) return DateParse::kUnrecognised;
  if (!(consume(text, i, ":") || consume(text, i, "时"))) return DateParse::kUnrecognised;
  if (!read_number(text, i, 2, out.minute, &digits) || digits != 2) return DateParse::kUnrecognised;
  (void)consume(text, i, "分");
  if (consume(text, i, ":")) {
    if (!read_number(text, i, 2, out.second, &digits) || digits != 2) return DateParse::kUnrecognised;
    (void)consume(text, i, "秒");
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      ++i;
      if (i == text.size() || !is_digit(text[i])) return DateParse::kUnrecognised;
      while (i < text.size() && is_digit(text[i])) ++i;  // fractions are dropped
    }
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size()) {
    if (text[i] == 'Z' || text[i] == 'z') {
      out.offset_minutes = 0;
      ++i;
    } else if (text[i] == '+' || text[i] == '-') {
      const int sign = text[i] == '-' ? -1 : 1;
      ++i;
      int hh = 0, mm = 0;
      if (!read_number(text, i, 2, hh, &digits) || digits != 2) return DateParse::kUnrecognised;
      (void)consume(text, i, ":");
      if (i < text.size() && (!read_number(text, i, 2, mm, &digits) || digits != 2)) return DateParse::kUnrecognised;
      if (hh > 14 || mm > 59) return DateParse::kImpossible;
      out.offset_minutes = sign * (hh * 60 + mm);
    }
  }
  if (i != text.size()) return DateParse::kUnrecognised;
  if (out.hour > 23 || out.minute > 59 || out.second > 60) return DateParse::kImpossible;
  if (out.second == 60) out.second = 59;  // a leap second is not worth a rejected row
  return DateParse::kOk;
}

// Parses the date at the front of `text`; `rest` is where it ended.
DateParse parse_date_prefix(std::string_view text, CivilDate& d, std::size_t& rest, CivilDateTime* compact_time) {
  // Compact digit forms: YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS.
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n == 8 || n == 12 || n == 14) {
    d = {fixed_digits(text.substr(0, 4)), fixed_digits(text.substr(4, 2)), fixed_digits(text.substr(6, 2))};
    if (n > 8) {
      if (compact_time == nullptr) return DateParse::kUnrecognised;
      compact_time->hour = fixed_digits(text.substr(8, 2));
      compact_time->minute = fixed_digits(text.substr(10, 2));
      if (n == 14) compact_time->second = fixed_digits(text.substr(12, 2));
      if (compact_time->hour > 23 || compact_time->minute > 59 || compact_time->second > 59) {
        return DateParse::kImpossible;
      }
    }
    rest = n;
    return is_real_date(d.year, d.month, d.day) ? DateParse::kOk : DateParse::kImpossible;
  }
  if (n != 4) return DateParse::kUnrecognised;
  std::size_t i = 4;
  d.year = fixed_digits(text.substr(0, 4));
  if (consume(text, i, "年")) {
    if (!read_number(text, i, 2, d.month) || !consume(text, i, "月")) return DateParse::kUnrecognised;
    if (!read_number(text, i, 2, d.day)) return DateParse::kUnrecognised;
    // 日 or 号 closes the day: "2024年1月5" is a value cut short, not a date.
    if (!consume(text, i, "日") && !consume(text, i, "号")) return DateParse::kUnrecognised;
  } else {
    if (i >= text.size()) return DateParse::kUnrecognised;
    const char sep = text[i];
    if (sep != '-' && sep != '/' && sep != '.') return DateParse::kUnrecognised;
    ++i;
    if (!read_number(text, i, 2, d.month)) return DateParse::kUnrecognised;
    if (i >= text.size() || text[i] != sep) return DateParse::kUnrecognised;
    ++i;
    if (!read_number(text, i, 2, d.day)) return DateParse::kUnrecognised;
    if (i < text.size() && is_digit(text[i])) return DateParse::kUnrecognised;
  }
  rest = i;
  return is_real_date(d.year, d.month, d.day) ? DateParse::kOk : DateParse::kImpossible;
}

void append_two(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool is_real_date(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const int max = kDays[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
  return day <= max;
}

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t days_from_civil(const CivilDate& d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const auto mp = static_cast<unsigned>((d.month + 9) % 12);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

CivilDate today_in_china() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return civil_from_days((secs + std::int64_t{kChinaOffsetMinutes} * 60) / 86400);
}

DateParse parse_date(std::string_view text, CivilDate& out) {
  std::size_t rest = 0;
  CivilDateTime time;
  const DateParse r = parse_date_prefix(text, out, rest, &time);
  if (r != DateParse::kOk) return r;
  // A time after the date ("1990-05-12 00:00:00.0", as database exports write dates) is dropped.
  return parse_time_and_zone(text, rest, time);
}

DateParse parse_datetime(std::string_view text, CivilDateTime& out) {
  out = {};
  std::size_t rest = 0;
  const DateParse r = parse_date_prefix(text, out.date, rest, &out);
  if (r != DateParse::kOk) return r;
  return parse_time_and_zone(text, rest, out);
}

void append_iso_date(std::string& out, const CivilDate& d) {
  append_two(out, d.year / 100);
  append_two(out, d.year % 100);
  out.push_back('-');
  append_two(out, d.month);
  out.push_back('-');
  append_two(out, d.day);
}

bool append_rfc3339_china(std::string& out, const CivilDateTime& dt) {
  CivilDate date = dt.date;
  int minutes = dt.hour * 60 + dt.minute;
  if (dt.offset_minutes && *dt.offset_minutes != kChinaOffsetMinutes) {
    minutes += kChinaOffsetMinutes - *dt.offset_minutes;
    std::int64_t days = days_from_civil(date);
    while (minutes < 0) minutes += 1440, --days;
    while (minutes >= 1440) minutes -= 1440, ++days;
    date = civil_from_days(days);
    // 9999-12-31T23:00:00-05:00 is in year 10000 here, which four digits cannot write.
    if (date.year < 1000 || date.year > 9999) return false;
  }
  append_iso_date(out, date);
  out.push_back('T');
  append_two(out, minutes / 60);
  out.push_back(':');
  append_two(out, minutes % 60);
  out.push_back(':');
  append_two(out, dt.second);
  out += "+08:00";
  return true;
}

}  // namespace yici::schema
