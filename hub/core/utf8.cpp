#include "hub/core/utf8.h"

namespace yici {

bool is_printable_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = decode_utf8(text, i);
    if (cp == kInvalidCodePoint || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  }
  return true;
}

std::string valid_utf8(std::string_view text) {
  std::size_t first_bad = text.size();
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    if (decode_utf8(text, i) == kInvalidCodePoint) {
      first_bad = at;
      break;
    }
  }
  if (first_bad == text.size()) return std::string(text);
  std::string out(text.substr(0, first_bad));
  out.reserve(text.size() + 8);
  for (std::size_t i = first_bad; i < text.size();) {
    const std::size_t at = i;
    if (decode_utf8(text, i) == kInvalidCodePoint) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else {
      out.append(text.substr(at, i - at));
    }
  }
  return out;
}

std::string bounded_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…(" + std::to_string(text.size()) + " bytes)";
}

}  // namespace yici
