#include "hub/store/source_key.h"

#include "hub/schema/text.h"

namespace yici::store {
namespace {

constexpr char kPartSeparator = '\x1f';

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Whether `key` is canonical already: ASCII, no lower-case letter, no part with a space at
// either end. Most keys are, and are returned without a rewrite.
bool canonical_already(std::string_view key) {
  bool part_start = true;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if ((static_cast<unsigned char>(c) & 0x80U) != 0 || (c >= 'a' && c <= 'z')) return false;
    if (is_space(c) && (part_start || i + 1 == key.size() || key[i + 1] == kPartSeparator)) return false;
    part_start = c == kPartSeparator;
  }
  return true;
}

// Appends one part of a key, cleaned as the schema's halfwidth and upper transforms clean a value
// and trimmed. Bytes the cleaner refuses (not UTF-8, a control character) are kept, ASCII letters
// upper-cased.
void append_part(std::string& out, std::string_view part, std::string& scratch) {
  const std::string_view trimmed = schema::trim(part);
  if (schema::clean(trimmed, schema::kHalfwidth | schema::kUpper, scratch).fault == schema::TextFault::kNone) {
    out += schema::trim(scratch);
    return;
  }
  for (const char c : trimmed) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
}

}  // namespace

std::string canonical_source_key(std::string_view key) {
  if (canonical_already(key)) return std::string(key);
  std::string out;
  out.reserve(key.size());
  std::string scratch;
  while (true) {
    const std::size_t sep = key.find(kPartSeparator);
    append_part(out, key.substr(0, sep), scratch);
    if (sep == std::string_view::npos) break;
    out.push_back(kPartSeparator);
    key.remove_prefix(sep + 1);
  }
  return out;
}

bool key_part_missing(std::string_view canonical_key, std::size_t parts) {
  if (parts == 0) return false;
  std::size_t start = 0;
  for (std::size_t part = 0; part < parts; ++part) {
    const std::size_t end = part + 1 == parts ? canonical_key.size() : canonical_key.find(kPartSeparator, start);
    if (end == std::string_view::npos || end == start) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace yici::store
