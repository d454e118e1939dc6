// Checks for text that arrives from outside (request targets, parameters) before it reaches logs,
// the audit log and JSON answers, all of which promise UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yici {

inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// The length of the sequence a lead byte announces (2, 3 or 4); 1 for an ASCII byte or a byte
// that cannot lead a sequence.
inline std::size_t utf8_sequence_length(unsigned char b0) {
  if ((b0 & 0xE0) == 0xC0) return 2;
  if ((b0 & 0xF0) == 0xE0) return 3;
  if ((b0 & 0xF8) == 0xF0) return 4;
  return 1;
}

// Decodes the code point at text[i] and advances i past it; kInvalidCodePoint for a malformed,
// overlong, surrogate or out-of-range sequence (i then advances by one byte). Inline: the
// normaliser calls it for every character of every field.
inline char32_t decode_utf8(std::string_view text, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  const std::size_t len = utf8_sequence_length(b0);
  char32_t cp = 0;
  char32_t min = 0;
  if (len == 2) {
    cp = b0 & 0x1F, min = 0x80;
  } else if (len == 3) {
    cp = b0 & 0x0F, min = 0x800;
  } else if (len == 4) {
    cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kInvalidCodePoint;
  }
  if (i + len > text.size()) {
    ++i;
    return kInvalidCodePoint;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kInvalidCodePoint;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kInvalidCodePoint;
  }
  i += len;
  return cp;
}

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF) and holds no control character (U+0000–U+001F, U+007F–U+009F).
bool is_printable_utf8(std::string_view text);

// `text` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD, for text that
// may hold bytes of another encoding (a GBK header read as UTF-8, a driver's message) on its way to
// a JSON answer or log line: Boost.JSON writes strings' bytes as they are, and one such byte makes
// the whole document unreadable to a strict parser. Well-formed text is returned as it is, moved,
// not copied (every log line passes through here).
std::string valid_utf8(std::string text);

// True when `text` is well-formed UTF-8 (control characters allowed, unlike is_printable_utf8).
bool is_valid_utf8(std::string_view text);

// Text from outside kept to at most `max_bytes`, cut at a character boundary, with the length it
// had: "…(3002 bytes)" after the part kept. Text that fits is returned as it is.
std::string bounded_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace yici
