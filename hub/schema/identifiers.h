// China's public identifiers and their check characters (../shared/reference/STANDARDS.md):
// resident identity numbers (GB 11643), unified social credit codes (GB 32100) with their
// embedded organisation codes (GB 11714), and dotted e-license identifiers (GB/T 36904 family).
//
// Each checker takes a value already cleaned (half-width, upper-case, separators stripped) and
// says exactly what is wrong, so the normaliser can tell a clerk which character to fix.
#pragma once

#include <string>
#include <string_view>

#include "hub/schema/civil_date.h"

namespace yici::schema {

enum class IdFault {
  kNone,
  kBadLength,     // not 18 (or 15 where allowed)
  kBadCharacter,  // a character the format does not allow
  kBadProvince,   // the first two digits name no province
  kBadDate,       // embedded birth date does not exist
  kBadChecksum,
};

struct IdCheck {
  IdFault fault = IdFault::kNone;
  char expected = 0;  // kBadChecksum: the check character the other characters call for
  CivilDate birth;    // resident IDs: the embedded birth date (valid when fault is none/checksum)
};

// ISO 7064 MOD 11-2 check character for the first 17 digits.
char resident_id_check_char(std::string_view first17);
// True for a GB/T 2260 province-level code (11 Beijing … 82 Macao).
bool is_province_code(int code);

// Checks an 18-character resident ID. `lowercase x` must already be upper-cased.
IdCheck check_resident_id(std::string_view id);
// Upgrades a 15-digit ID to 18 (inserting "19" and the check character). Returns the fault when
// the 15 characters are not a well-formed legacy number.
IdCheck upgrade_resident_id(std::string_view id15, std::string& out18);

// Unified social credit code check character for the first 17 characters; 0 when one of them
// is outside the 31-character alphabet.
char uscc_check_char(std::string_view first17);
IdCheck check_uscc(std::string_view code);
// GB 11714 check of the organisation code in positions 9–17 of a USCC.
IdCheck check_org_code(std::string_view uscc);

// ISO 7064 MOD 37,36 check character over `data` (0-9A-Z); 0 for a character outside.
char mod37_36_check_char(std::string_view data);
// The dotted e-license identifier: prefix 1.2.156.3005.2, type code, issuer USCC, serial,
// 3-digit version, check character over type+issuer+serial+version.
IdCheck check_license_id(std::string_view id);

}  // namespace yici::schema
