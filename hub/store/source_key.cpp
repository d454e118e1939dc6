#include "hub/store/source_key.h"

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

// Appends `part` with its space trimmed at both ends.
void append_trimmed(std::string& out, std::string_view part) {
  std::size_t begin = 0;
  std::size_t end = part.size();
  while (begin < end && is_space(part[begin])) ++begin;
  while (end > begin && is_space(part[end - 1])) --end;
  out.append(part.substr(begin, end - begin));
}

}  // namespace

std::string canonical_source_key(std::string_view key) {
  if (canonical_already(key)) return std::string(key);
  // Folded first (a full-width space becomes one to trim), then trimmed part by part.
  std::string folded;
  folded.reserve(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c >= 'a' && c <= 'z') {
      folded.push_back(static_cast<char>(c - 'a' + 'A'));
      continue;
    }
    if (c == 0xEF && i + 2 < key.size()) {
      // U+FF01..U+FF5E: EF BC 81..EF BC BF, EF BD 80..EF BD 9E.
      const auto b1 = static_cast<unsigned char>(key[i + 1]);
      const auto b2 = static_cast<unsigned char>(key[i + 2]);
      unsigned code = 0;
      if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) code = 0xFF00U + (b2 - 0x80U);
      if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) code = 0xFF40U + (b2 - 0x80U);
      if (code != 0) {
        auto ascii = static_cast<char>(code - 0xFF00U + 0x20U);
        if (ascii >= 'a' && ascii <= 'z') ascii = static_cast<char>(ascii - 'a' + 'A');
        folded.push_back(ascii);
        i += 2;
        continue;
      }
    }
    if (c == 0xE3 && i + 2 < key.size() && static_cast<unsigned char>(key[i + 1]) == 0x80 &&
        static_cast<unsigned char>(key[i + 2]) == 0x80) {  // U+3000 ideographic space
      folded.push_back(' ');
      i += 2;
      continue;
    }
    if (c == 0xC2 && i + 1 < key.size() && static_cast<unsigned char>(key[i + 1]) == 0xA0) {  // U+00A0
      folded.push_back(' ');
      i += 1;
      continue;
    }
    folded.push_back(static_cast<char>(c));
  }
  std::string out;
  out.reserve(folded.size());
  std::string_view rest = folded;
  while (true) {
    const std::size_t sep = rest.find(kPartSeparator);
    append_trimmed(out, rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    out.push_back(kPartSeparator);
    rest.remove_prefix(sep + 1);
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
