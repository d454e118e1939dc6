#include "hub/audit/subject_key.h"

#include <algorithm>
#include <iterator>

#include "hub/core/utf8.h"
#include "hub/schema/text.h"

namespace yici::audit {
namespace {

// Whitespace (Unicode White_Space), invisible characters, '_' and dashes.
constexpr char32_t kDropped[] = {'\t',   '\n',   '\v',   '\f',   '\r',   ' ',    '-',    '_',
                                 0x85,   0xA0,   0xAD,   0x1680, 0x2028, 0x2029, 0x202F, 0x205F,
                                 0x2060, 0x2212, 0x3000, 0xFE58, 0xFE63, 0xFEFF};

bool is_dropped(char32_t cp) {
  return std::find(std::begin(kDropped), std::end(kDropped), cp) != std::end(kDropped) ||
         (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x2015);
}

bool is_key_byte(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::optional<std::string> folded_subject_key(std::string_view subject) {
  if (std::all_of(subject.begin(), subject.end(), is_key_byte)) return std::nullopt;
  std::string key = subject_key(subject);
  if (key == subject) return std::nullopt;
  return key;
}

std::string subject_key(std::string_view subject) {
  std::string out;
  out.reserve(subject.size());
  std::size_t i = 0;
  while (i < subject.size()) {
    const std::size_t at = i;
    char32_t cp = decode_utf8(subject, i);
    if (cp == kInvalidCodePoint) {
      out += subject[at];
      continue;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
    if (is_dropped(cp)) continue;
    if (cp >= 'a' && cp <= 'z') cp -= 'a' - 'A';
    schema::append_utf8(out, cp);
  }
  return out;
}

}  // namespace yici::audit
