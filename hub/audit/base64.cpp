#include "hub/audit/base64.h"

#include <algorithm>
#include <array>

namespace yici::audit {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::int8_t kInvalid = -1;

constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

void base64_encode_to(std::span<const std::uint8_t> bytes, char* out) {
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    *out++ = kAlphabet[(v >> 18) & 63];
    *out++ = kAlphabet[(v >> 12) & 63];
    *out++ = kAlphabet[(v >> 6) & 63];
    *out++ = kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return;
  const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (rest == 2 ? std::uint32_t{bytes[i + 1]} << 8 : 0);
  *out++ = kAlphabet[(v >> 18) & 63];
  *out++ = kAlphabet[(v >> 12) & 63];
  *out++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  *out = '=';
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(base64_encoded_size(bytes.size()), '\0');
  base64_encode_to(bytes, out.data());
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error::invalid("base64: length is not a multiple of 4");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t symbols = last ? 4 - padding : 4;
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      v <<= 6;
      if (j >= symbols) continue;  // '=' padding at the very end
      const std::int8_t d = kDecode[static_cast<unsigned char>(text[i + j])];
      if (d == kInvalid) return Error::invalid("base64: invalid character at offset " + std::to_string(i + j));
      v |= static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (symbols >= 3) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (symbols == 4) out.push_back(static_cast<std::uint8_t>(v));
    // Non-canonical encodings (stray bits in the last symbol) are rejected.
    if (symbols == 2 && (v & 0xffff) != 0) return Error::invalid("base64: non-zero padding bits");
    if (symbols == 3 && (v & 0xff) != 0) return Error::invalid("base64: non-zero padding bits");
  }
  return out;
}

Result<Hash> hash_from_base64(std::string_view text) {
  YICI_TRY(auto bytes, base64_decode(text));
  if (bytes.size() != kHashSize) {
    return Error::invalid("hash: expected 32 bytes in base64, got " + std::to_string(bytes.size()));
  }
  Hash h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

}  // namespace yici::audit
