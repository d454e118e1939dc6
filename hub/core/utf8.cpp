#include "hub/core/utf8.h"

#include <cstdint>
#include <cstring>

namespace yici {

bool is_printable_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = decode_utf8(text, i);
    if (cp == kInvalidCodePoint || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  }
  return true;
}

namespace {

// Where the first byte that is not part of well-formed UTF-8 is; text.size() when none is.
// Runs of ASCII (most of a log line or a JSON answer) are skipped eight bytes at a time: the
// decoder takes about 0.6 ns a byte, which is 150 ns for a request's log line.
std::size_t first_invalid(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    for (std::uint64_t word = 0; i + sizeof word <= text.size(); i += sizeof word) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
    }
    if (i == text.size()) break;
    const std::size_t at = i;
    if (decode_utf8(text, i) == kInvalidCodePoint) return at;
  }
  return text.size();
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return first_invalid(text) == text.size(); }

std::string valid_utf8(std::string text) {
  const std::size_t first_bad = first_invalid(text);
  if (first_bad == text.size()) return text;
  const std::string_view in = text;
  std::string out(in.substr(0, first_bad));
  out.reserve(in.size() + 8);
  for (std::size_t i = first_bad; i < in.size();) {
    const std::size_t at = i;
    if (decode_utf8(in, i) == kInvalidCodePoint) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else {
      out.append(in.substr(at, i - at));
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
