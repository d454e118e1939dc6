#include "hub/schema/phone.h"

namespace yici::schema {

bool normalise_phone(std::string_view text, std::string& out) {
  std::string digits;
  digits.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty()) {
      continue;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  std::string_view d = digits;
  if (d.size() == 13 && d.substr(0, 3) == "861") d.remove_prefix(2);
  if (d.size() == 15 && d.substr(0, 5) == "00861") d.remove_prefix(4);
  if (d.size() > 11 && d.substr(0, 2) == "86" && d[2] == '0') d.remove_prefix(2);
  if (d.size() > 11 && d.substr(0, 4) == "0086" && d[4] == '0') d.remove_prefix(4);
  // "+86 571 87654321": the international form drops the area code's leading 0.
  std::string with_zero;
  if (d.size() >= 11 && d.size() <= 13 && d.substr(0, 2) == "86" && d[2] != '0' && d[2] != '1') {
    with_zero = "0" + std::string(d.substr(2));
    d = with_zero;
  }
  out.clear();
  if (d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') {
    out.assign(d);
    return true;
  }
  if (d.size() < 3 || d[0] != '0' || d[1] == '0') return false;
  // 010 and 02x are three-digit area codes; the rest are four digits (0571, 0574, …).
  const std::size_t area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
  const std::size_t local = d.size() - std::min(area, d.size());
  if (d.size() <= area || local < 7 || local > 8 || d[area] == '0' || d[area] == '1') return false;
  out.assign(d.substr(0, area));
  out.push_back('-');
  out.append(d.substr(area));
  return true;
}

}  // namespace yici::schema
