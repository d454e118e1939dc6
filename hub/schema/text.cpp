#include "hub/schema/text.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "hub/core/utf8.h"

namespace yici::schema {
namespace {

constexpr char32_t kInvalid = kInvalidCodePoint;

char32_t decode(std::string_view s, std::size_t& i) { return decode_utf8(s, i); }

bool is_trimmable(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x3000 ||
         cp == 0x00A0 || cp == 0xFEFF || cp == 0x200B;
}

bool is_invisible(char32_t cp) { return cp == 0xFEFF || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060; }

bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0x00A0;
}

bool is_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

bool is_middle_dot(char32_t cp) {
  return cp == 0x00B7 || cp == 0x2022 || cp == 0x30FB || cp == 0x2027 || cp == 0xFF0E || cp == 0xFF65 || cp == 0x2219 ||
         cp == '.' || cp == 0x318D;
}

// The length of the UTF-8 sequence ending just before `end` (for trimming from the right).
std::size_t last_sequence_start(std::string_view s, std::size_t end) {
  std::size_t i = end - 1;
  while (i > 0 && end - i < 4 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

std::uint32_t transform_from_name(std::string_view name, bool& known) {
  struct Entry {
    std::string_view name;
    std::uint32_t bit;
  };
  static constexpr std::array<Entry, 9> kNames = {{{"trim", 0},
                                                   {"halfwidth", kHalfwidth},
                                                   {"upper", kUpper},
                                                   {"lower", kLower},
                                                   {"strip_separators", kStripSeparators},
                                                   {"collapse_spaces", kCollapseSpaces},
                                                   {"cjk_spaces", kCjkSpaces},
                                                   {"middle_dot", kMiddleDot},
                                                   {"fullwidth_parens", kFullwidthParens}}};
  for (const auto& e : kNames) {
    if (e.name == name) {
      known = true;
      return e.bit;
    }
  }
  known = false;
  return 0;
}

std::string_view trim(std::string_view value) {
  std::size_t b = 0;
  while (b < value.size()) {
    std::size_t i = b;
    const char32_t cp = decode(value, i);
    if (cp == kInvalid || !is_trimmable(cp)) break;
    b = i;
  }
  std::size_t e = value.size();
  while (e > b) {
    std::size_t start = last_sequence_start(value, e);
    if (start < b) break;
    std::size_t i = start;
    const char32_t cp = decode(value, i);
    if (cp == kInvalid || i != e || !is_trimmable(cp)) break;
    e = start;
  }
  return value.substr(b, e - b);
}

bool is_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FA1F);
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

TextCheck clean(std::string_view value, std::uint32_t transforms, std::string& out) {
  out.clear();
  out.reserve(value.size());
  const bool collapse = (transforms & kCollapseSpaces) != 0;
  const bool strip = (transforms & kStripSeparators) != 0;
  const bool cjk_spaces = (transforms & kCjkSpaces) != 0;
  const bool halfwidth = (transforms & kHalfwidth) != 0;
  const bool middle_dot = (transforms & kMiddleDot) != 0;
  const bool hold_spaces = collapse || cjk_spaces;
  char32_t prev = 0;           // last code point written (0 at start)
  bool pending_space = false;  // a space held back by collapse/cjk_spaces until we see what follows
  std::size_t i = 0;
  const std::size_t n = value.size();
  while (i < n) {
    const std::size_t at = i;
    const auto byte = static_cast<unsigned char>(value[i]);
    char32_t cp = 0;
    bool verbatim = false;  // a multi-byte character written back as its original bytes
    if (byte < 0x80) {
      cp = byte;
      ++i;
      if (is_control(cp)) return {TextFault::kControlCharacter, at, cp};
    } else {
      cp = decode(value, i);
      if (cp == kInvalid) return {TextFault::kBadUtf8, at, 0};
      if (cp == 0xFFFD) return {TextFault::kReplacementChar, at, cp};
      if (is_control(cp)) return {TextFault::kControlCharacter, at, cp};
      if (is_invisible(cp)) continue;
      if (halfwidth) {
        if (cp >= 0xFF01 && cp <= 0xFF5E && !(middle_dot && cp == 0xFF0E)) {
          cp -= 0xFEE0;
        } else if (cp == 0x3000) {
          cp = ' ';
        }
      }
      verbatim = cp >= 0x80 && cp != 0x3000 && cp != 0x00A0 && !(middle_dot && is_middle_dot(cp));
    }
    if (!verbatim) {
      if (strip && (is_space(cp) || cp == '-' || cp == '_')) continue;
      if (hold_spaces && is_space(cp) && (collapse || cp == ' ')) {
        pending_space = true;
        continue;
      }
      if (middle_dot && is_middle_dot(cp)) {
        cp = 0x00B7;
        pending_space = false;  // "阿依古丽 · 买买提" → "阿依古丽·买买提"
      }
    }
    if (pending_space) {
      const bool drop = prev == 0 || prev == 0x00B7 || (cjk_spaces && is_cjk(prev) && is_cjk(cp));
      if (!drop) out.push_back(' ');
      pending_space = false;
    }
    if (verbatim) {
      out.append(value.data() + at, i - at);
    } else if (cp < 0x80) {
      if ((transforms & kUpper) != 0 && cp >= 'a' && cp <= 'z') cp -= 32;
      if ((transforms & kLower) != 0 && cp >= 'A' && cp <= 'Z') cp += 32;
      if ((transforms & kFullwidthParens) != 0 && (cp == '(' || cp == ')')) {
        cp = cp == '(' ? 0xFF08 : 0xFF09;
        append_utf8(out, cp);
      } else {
        out.push_back(static_cast<char>(cp));
      }
    } else {
      append_utf8(out, cp);
    }
    prev = cp;
  }
  return {};
}

std::size_t code_point_count(std::string_view utf8) {
  std::size_t n = 0;
  for (const char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

namespace {

// True if any of the 8 bytes in `w` is a control character, '"' or '\\' (bit tricks from
// "Bit Twiddling Hacks": a byte below n, a byte equal to b; exact for bytes of any value).
bool needs_escape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = ~std::uint64_t{0} / 255;
  constexpr std::uint64_t kHigh = kOnes * 0x80;
  const auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const bool below_space = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return below_space || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\'));
}

// How many bytes at the start of `s` need no escaping, checked 8 at a time: up to the first 8-byte
// word that holds one, or to the last whole word. Most values need no escaping at all.
std::size_t escape_free_words(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    if (needs_escape(w)) break;
  }
  return i;
}

}  // namespace

bool json_escape_free(std::string_view s) {
  std::size_t i = escape_free_words(s);
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = escape_free_words(s);
  if (i == s.size()) {
    out.append(s);
    return;
  }
  std::size_t run = 0;  // start of the current run of bytes that need no escaping
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
}

}  // namespace yici::schema
