#include "hub/schema/identifiers.h"

#include <array>

namespace yici::schema {
namespace {

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::string_view kLicensePrefix = "1.2.156.3005.2.";

// Value of a USCC character, or -1.
int uscc_value(char c) {
  static const auto kTable = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (std::size_t i = 0; i < kUsccAlphabet.size(); ++i)
      t[static_cast<unsigned char>(kUsccAlphabet[i])] = static_cast<signed char>(i);
    return t;
  }();
  return kTable[static_cast<unsigned char>(c)];
}

// Value of a 0-9A-Z character, or -1.
int alnum_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digits_value(std::string_view s) {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

bool is_province_code(int code) {
  return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
         (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) || code == 71 ||
         code == 81 || code == 82;
}

char resident_id_check_char(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr std::string_view kChecks = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChecks[static_cast<std::size_t>(sum % 11)];
}

IdCheck check_resident_id(std::string_view id) {
  IdCheck r;
  if (id.size() != 18) return {IdFault::kBadLength};
  for (std::size_t i = 0; i < 17; ++i) {
    if (!is_digit(id[i])) return {IdFault::kBadCharacter};
  }
  if (!is_digit(id[17]) && id[17] != 'X') return {IdFault::kBadCharacter};
  if (!is_province_code(digits_value(id.substr(0, 2)))) return {IdFault::kBadProvince};
  r.birth = {digits_value(id.substr(6, 4)), digits_value(id.substr(10, 2)), digits_value(id.substr(12, 2))};
  if (!is_real_date(r.birth.year, r.birth.month, r.birth.day)) return {IdFault::kBadDate};
  const char expected = resident_id_check_char(id);
  if (expected != id[17]) {
    r.fault = IdFault::kBadChecksum;
    r.expected = expected;
  }
  return r;
}

IdCheck upgrade_resident_id(std::string_view id15, std::string& out18) {
  if (id15.size() != 15) return {IdFault::kBadLength};
  for (const char c : id15) {
    if (!is_digit(c)) return {IdFault::kBadCharacter};
  }
  out18.assign(id15.substr(0, 6));
  out18 += "19";
  out18.append(id15.substr(6, 9));
  out18.push_back(resident_id_check_char(out18));
  return check_resident_id(out18);
}

char uscc_check_char(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const int v = uscc_value(first17[i]);
    if (v < 0) return 0;
    sum += v * kWeights[i];
  }
  const int c = (31 - sum % 31) % 31;
  return kUsccAlphabet[static_cast<std::size_t>(c)];
}

IdCheck check_uscc(std::string_view code) {
  if (code.size() != 18) return {IdFault::kBadLength};
  for (const char c : code) {
    if (uscc_value(c) < 0) return {IdFault::kBadCharacter};
  }
  for (std::size_t i = 2; i < 8; ++i) {
    if (!is_digit(code[i])) return {IdFault::kBadCharacter};  // positions 3–8: division code
  }
  IdCheck r;
  const char expected = uscc_check_char(code);
  if (expected != code[17]) {
    r.fault = IdFault::kBadChecksum;
    r.expected = expected;
  }
  return r;
}

IdCheck check_org_code(std::string_view uscc) {
  static constexpr std::array<int, 8> kWeights = {3, 7, 9, 10, 5, 8, 4, 2};
  const std::string_view org = uscc.substr(8, 9);
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const int v = alnum_value(org[i]);
    if (v < 0) return {IdFault::kBadCharacter};
    sum += v * kWeights[i];
  }
  const int c = 11 - sum % 11;
  const char expected = c == 10 ? 'X' : c == 11 ? '0' : static_cast<char>('0' + c);
  IdCheck r;
  if (expected != org[8]) {
    r.fault = IdFault::kBadChecksum;
    r.expected = expected;
  }
  return r;
}

char mod37_36_check_char(std::string_view data) {
  int p = 36;
  for (const char ch : data) {
    const int v = alnum_value(ch);
    if (v < 0) return 0;
    int s = (p + v) % 36;
    if (s == 0) s = 36;
    p = (2 * s) % 37;
  }
  const int check = (37 - p) % 36;
  return check < 10 ? static_cast<char>('0' + check) : static_cast<char>('A' + check - 10);
}

IdCheck check_license_id(std::string_view id) {
  if (id.substr(0, kLicensePrefix.size()) != kLicensePrefix) return {IdFault::kBadLength};
  std::array<std::string_view, 5> parts;  // type, issuer, serial, version, check
  std::string_view rest = id.substr(kLicensePrefix.size());
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const std::size_t dot = rest.find('.');
    if ((dot == std::string_view::npos) != (k == parts.size() - 1)) return {IdFault::kBadLength};
    parts[k] = rest.substr(0, dot);
    if (parts[k].empty()) return {IdFault::kBadLength};
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  if (parts[1].size() != 18 || parts[3].size() != 3 || parts[4].size() != 1) return {IdFault::kBadLength};
  std::string data;
  data.reserve(64);
  for (std::size_t k = 0; k < 4; ++k) {
    for (const char c : parts[k]) {
      if (alnum_value(c) < 0) return {IdFault::kBadCharacter};
    }
    data.append(parts[k]);
  }
  for (const char c : parts[3]) {
    if (!is_digit(c)) return {IdFault::kBadCharacter};
  }
  if (alnum_value(parts[4][0]) < 0) return {IdFault::kBadCharacter};
  IdCheck r;
  const char expected = mod37_36_check_char(data);
  if (expected != parts[4][0]) {
    r.fault = IdFault::kBadChecksum;
    r.expected = expected;
  }
  return r;
}

}  // namespace yici::schema
