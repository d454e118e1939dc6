#include "hub/schema/mask.h"

#include <vector>

namespace yici::schema {

std::string mask_value(std::string_view utf8) {
  // Split into code points (invalid bytes count as one each: masking must never fail).
  std::vector<std::string_view> cps;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t len = 1;
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b >= 0xF0) {
      len = 4;
    } else if (b >= 0xE0) {
      len = 3;
    } else if (b >= 0xC0) {
      len = 2;
    }
    len = std::min(len, utf8.size() - i);
    cps.push_back(utf8.substr(i, len));
    i += len;
  }
  const std::size_t n = cps.size();
  std::size_t head = 1, tail = 0;
  if (n >= 11) {
    head = 3, tail = 4;
  } else if (n >= 4) {
    head = 1, tail = 1;
  }
  if (n <= 1) return n == 0 ? std::string() : std::string(1, '*');
  // At most kMaxStars stars: a value of megabytes (an export gone wrong) is not a line of
  // millions of '*' in a preview or on a terminal.
  constexpr std::size_t kMaxStars = 32;
  std::string out;
  for (std::size_t i = 0; i < head; ++i) out.append(cps[i]);
  const std::size_t hidden = n - head - tail;
  out.append(std::min(hidden, kMaxStars), '*');
  if (hidden > kMaxStars) out += "…";
  for (std::size_t i = n - tail; i < n; ++i) out.append(cps[i]);
  return out;
}

}  // namespace yici::schema
