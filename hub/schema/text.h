// Text cleaning for the normaliser: UTF-8 checks and the transforms a schema can ask for.
//
// Everything here is on the per-row hot path: one pass over the bytes, no regex, no allocation
// beyond the caller's reused output buffer, and an ASCII fast path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace yici::schema {

// Transforms a field may list (schemas/README.md); a bit set so a plan applies them in one pass.
enum Transform : std::uint32_t {
  kHalfwidth = 1U << 0,        // U+FF01–U+FF5E → ASCII, U+3000 → space
  kUpper = 1U << 1,            // ASCII upper-case
  kLower = 1U << 2,            // ASCII lower-case
  kStripSeparators = 1U << 3,  // drop whitespace, '-' and '_'
  kCollapseSpaces = 1U << 4,   // whitespace runs (tab, newline, U+3000, NBSP) → one space
  kCjkSpaces = 1U << 5,        // drop a space between two CJK ideographs ("张 三" → "张三")
  kMiddleDot = 1U << 6,        // ·•・‧.． between name parts → U+00B7
  kFullwidthParens = 1U << 7,  // ( ) → （ ）, as enterprise names are registered
};

// Parses a transform name ("halfwidth", "upper", …); 0 when unknown. `trim` is accepted and is a
// no-op bit (every value is trimmed).
std::uint32_t transform_from_name(std::string_view name, bool& known);

// What is wrong with a value's bytes, if anything.
enum class TextFault {
  kNone,
  kBadUtf8,           // not UTF-8 (offset in `where`)
  kControlCharacter,  // C0/C1 control other than tab/CR/LF, or DEL
  kReplacementChar,   // U+FFFD: the text was mis-decoded before it reached us
};

struct TextCheck {
  TextFault fault = TextFault::kNone;
  std::size_t where = 0;  // byte offset of the problem
  char32_t code_point = 0;
};

// Strips ASCII whitespace, U+3000, U+00A0, U+FEFF (BOM) and zero-width spaces from both ends.
// `value` need not be valid UTF-8 (an invalid sequence simply stops the trim).
std::string_view trim(std::string_view value);

// Applies `transforms` to a trimmed value, writing into `out` (cleared first). Invisible characters
// (U+FEFF, U+200B–U+200D, U+2060) are dropped. Returns a fault instead when the bytes are not
// clean UTF-8 or hold a control character; `out` is then unspecified.
TextCheck clean(std::string_view value, std::uint32_t transforms, std::string& out);

// Number of code points in valid UTF-8.
std::size_t code_point_count(std::string_view utf8);

// Appends `s` as the inside of a JSON string (quotes not included), escaping as RFC 8259 requires.
void append_json_escaped(std::string& out, std::string_view s);
// True when append_json_escaped would copy `s` unchanged: no control character, '"' or '\\'.
bool json_escape_free(std::string_view s);

// Appends a code point as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// True for CJK unified ideographs (and extension A / compatibility ideographs).
bool is_cjk(char32_t cp);

}  // namespace yici::schema
