#include "hub/schema/numbers.h"

#include <array>
#include <limits>

namespace yici::schema {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string_view strip_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Removes a leading/trailing currency marker for yuan; reports a foreign one.
NumberParse strip_currency(std::string_view& s) {
  static constexpr std::array<std::string_view, 16> kForeign = {"美元", "港元", "港币",     "欧元",     "日元", "英镑",
                                                                "澳元", "加元", "新加坡元", "瑞士法郎", "USD",  "HKD",
                                                                "EUR",  "JPY",  "GBP",      "$"};
  for (const auto f : kForeign) {
    if (s.find(f) != std::string_view::npos) return {NumberFault::kForeignCurrency, f};
  }
  static constexpr std::array<std::string_view, 6> kPrefixes = {"人民币", "RMB", "CNY", "￥", "¥", "rmb"};
  for (const auto p : kPrefixes) {
    if (starts_with(s, p)) s = strip_spaces(s.substr(p.size()));
  }
  static constexpr std::array<std::string_view, 6> kSuffixes = {"人民币", "RMB", "CNY", "元", "rmb", "(元)"};
  bool again = true;
  while (again) {  // "万元人民币": 人民币 then 元
    again = false;
    for (const auto p : kSuffixes) {
      if (ends_with(s, p)) {
        s = strip_spaces(s.substr(0, s.size() - p.size()));
        again = true;
      }
    }
  }
  return {};
}

// Canonicalises sign + integer digits + fraction digits, shifted left by `shift` places.
void canonical(bool negative, std::string_view int_digits, std::string_view frac_digits, int shift, std::string& out) {
  std::string digits;
  digits.reserve(int_digits.size() + frac_digits.size() + static_cast<std::size_t>(shift));
  digits.append(int_digits);
  std::string frac(frac_digits);
  for (int k = 0; k < shift; ++k) {
    if (!frac.empty()) {
      digits.push_back(frac.front());
      frac.erase(0, 1);
    } else {
      digits.push_back('0');
    }
  }
  std::size_t lead = 0;
  while (lead + 1 < digits.size() && digits[lead] == '0') ++lead;
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  out.clear();
  const bool zero = digits.find_first_not_of('0') == std::string::npos && frac.empty();
  if (negative && !zero) out.push_back('-');
  out.append(digits, lead, std::string::npos);
  if (out.empty() || out == "-") out.push_back('0');
  if (!frac.empty()) {
    out.push_back('.');
    out += frac;
  }
}

}  // namespace

NumberParse parse_integer(std::string_view text, std::int64_t& out) {
  std::string_view s = strip_spaces(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !is_digit(s.front())) return {NumberFault::kNotANumber};
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c == ',') continue;
    if (!is_digit(c)) return {NumberFault::kNotANumber};
    if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return {NumberFault::kOutOfRange};
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v > limit + (negative ? 1 : 0)) return {NumberFault::kOutOfRange};
  out = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
  return {};
}

NumberParse parse_decimal(std::string_view text, bool money, std::string& out) {
  std::string_view s = strip_spaces(text);
  int shift = 0;
  if (money) {
    if (auto r = strip_currency(s); r.fault != NumberFault::kNone) return r;
    if (ends_with(s, "万")) {
      shift = 4;
      s = strip_spaces(s.substr(0, s.size() - std::string_view("万").size()));
    } else if (ends_with(s, "亿")) {
      shift = 8;
      s = strip_spaces(s.substr(0, s.size() - std::string_view("亿").size()));
    }
  }
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string int_digits;
  std::string_view frac;
  std::size_t i = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    if (s[i] == ',' && i > 0) continue;
    if (!is_digit(s[i])) return {NumberFault::kNotANumber};
    int_digits.push_back(s[i]);
  }
  if (i < s.size()) {
    frac = s.substr(i + 1);
    if (frac.empty()) return {NumberFault::kNotANumber};
    for (const char c : frac) {
      if (!is_digit(c)) return {NumberFault::kNotANumber};
    }
  }
  if (int_digits.empty() && frac.empty()) return {NumberFault::kNotANumber};
  if (int_digits.empty()) int_digits = "0";
  canonical(negative, int_digits, frac, shift, out);
  return {};
}

int compare_decimal(std::string_view a, std::string_view b) {
  const bool neg_a = !a.empty() && a.front() == '-';
  const bool neg_b = !b.empty() && b.front() == '-';
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  if (neg_a) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  const std::size_t dot_a = std::min(a.find('.'), a.size());
  const std::size_t dot_b = std::min(b.find('.'), b.size());
  int c = 0;
  if (dot_a != dot_b) {
    c = dot_a < dot_b ? -1 : 1;
  } else {
    c = a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
  }
  return neg_a ? -c : c;
}

}  // namespace yici::schema
