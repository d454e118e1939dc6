#include "hub/api/subject_forms.h"

#include <algorithm>
#include <cctype>

namespace yici::api {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// ASCII '!'..'~' as their full-width forms, U+FF01..U+FF5E (3 bytes of UTF-8 each).
std::string full_width(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7E) {
      out += ch;
      continue;
    }
    const unsigned cp = 0xFF01U + (c - 0x21U);
    out += static_cast<char>(0xE0U | (cp >> 12));
    out += static_cast<char>(0x80U | ((cp >> 6) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
  return out;
}

// The 15-digit form of an 18-digit resident ID born 1900–1999 (GB 11643: the century and the
// check character were added), or empty.
std::string fifteen_digit_form(std::string_view id) {
  if (id.size() != 18 || id.substr(6, 2) != "19") return {};
  if (!std::all_of(id.begin(), id.begin() + 17, [](char c) { return c >= '0' && c <= '9'; })) return {};
  return std::string(id.substr(0, 6)) + std::string(id.substr(8, 9));
}

}  // namespace

std::vector<std::string> subject_search_forms(std::string_view given, const std::vector<std::string>& canonical) {
  std::vector<std::string> forms;
  const auto add = [&](std::string form) {
    if (!form.empty() && std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
  };
  add(std::string(given));
  for (const std::string& c : canonical) {
    add(c);
    add(lower_ascii(c));
    add(full_width(c));
    add(full_width(lower_ascii(c)));
    add(fifteen_digit_form(c));
  }
  return forms;
}

}  // namespace yici::api
