#include "hub/core/utf8.h"

namespace yici {

bool is_printable_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = decode_utf8(text, i);
    if (cp == kInvalidCodePoint || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  }
  return true;
}

}  // namespace yici
