#include "hub/schema/identifiers.h"

#include <doctest/doctest.h>

namespace yici::schema {
namespace {

TEST_CASE("resident ID check characters follow ISO 7064 MOD 11-2") {
  struct Case {
    const char* id;
    IdFault fault;
  };
  const Case cases[] = {
      {"11010519491231002X", IdFault::kNone},         // the standard's worked example
      {"110105194912310021", IdFault::kBadChecksum},  // same number, wrong check character
      {"11010519491231002", IdFault::kBadLength},     {"1101051949123100201", IdFault::kBadLength},
      {"11010519491231002A", IdFault::kBadCharacter}, {"1101051949123A002X", IdFault::kBadCharacter},
      {"99010519491231002X", IdFault::kBadProvince},  // no province 99
      {"110105194902300028", IdFault::kBadDate},      // 30 February
      {"110105190002290020", IdFault::kBadDate},      // 1900 was not a leap year
  };
  for (const auto& c : cases) {
    CAPTURE(c.id);
    CHECK(check_resident_id(c.id).fault == c.fault);
  }
  CHECK(resident_id_check_char("11010519491231002") == 'X');
  const IdCheck ok = check_resident_id("11010519491231002X");
  CHECK(ok.birth == CivilDate{1949, 12, 31});
  // A leap day exists in 2000 (divisible by 400): the date is real, only the check char decides.
  const std::string leap17 = "33010620000229123";
  CHECK(check_resident_id(leap17 + resident_id_check_char(leap17)).fault == IdFault::kNone);
}

TEST_CASE("15-digit resident IDs are upgraded by inserting 19 and computing the check character") {
  std::string out;
  // 110105491231002 → 110105 19 491231 002 + check: the worked example again.
  CHECK(upgrade_resident_id("110105491231002", out).fault == IdFault::kNone);
  CHECK(out == "11010519491231002X");
  CHECK(upgrade_resident_id("110105490231002", out).fault == IdFault::kBadDate);  // 1949-02-31
  CHECK(upgrade_resident_id("11010549123100X", out).fault == IdFault::kBadCharacter);
  CHECK(upgrade_resident_id("1101054912310", out).fault == IdFault::kBadLength);
}

TEST_CASE("unified social credit codes follow GB 32100 MOD 31") {
  CHECK(check_uscc("91350100M000100Y43").fault == IdFault::kNone);  // the standard's worked example
  const IdCheck bad = check_uscc("91350100M000100Y44");
  CHECK(bad.fault == IdFault::kBadChecksum);
  CHECK(bad.expected == '3');
  CHECK(check_uscc("91350100M000100Y4").fault == IdFault::kBadLength);
  CHECK(check_uscc("91350100M0001I0Y43").fault == IdFault::kBadCharacter);  // I is not in the alphabet
  CHECK(check_uscc("91350100O000100Y43").fault == IdFault::kBadCharacter);  // nor O
  CHECK(check_uscc("913501A0M000100Y43").fault == IdFault::kBadCharacter);  // positions 3-8 are digits
  // When the sum is a multiple of 31 the check value is 0, not 31.
  bool saw_zero = false;
  for (int serial = 0; serial < 200 && !saw_zero; ++serial) {
    std::string first17 = "91330106MA2" + std::to_string(100000 + serial);
    if (uscc_check_char(first17) == '0') saw_zero = true;
  }
  CHECK(saw_zero);
}

TEST_CASE("the organisation code inside a USCC has its own GB 11714 check") {
  CHECK(check_org_code("91350100M000100Y43").fault == IdFault::kNone);  // M000100Y-4
  const IdCheck bad = check_org_code("91350100M000100Y53");
  CHECK(bad.fault == IdFault::kBadChecksum);
  CHECK(bad.expected == '4');
}

TEST_CASE("e-license identifiers: dotted form and ISO 7064 MOD 37,36") {
  const char* real = "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0";
  CHECK(check_license_id(real).fault == IdFault::kNone);
  const IdCheck bad = check_license_id("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.1");
  CHECK(bad.fault == IdFault::kBadChecksum);
  CHECK(bad.expected == '0');
  CHECK(check_license_id("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.02.0").fault ==
        IdFault::kBadLength);  // version is 3 digits
  CHECK(check_license_id("1.2.156.3005.3.11100000000013338W009.11330105002500287C.2025052201.002.0").fault ==
        IdFault::kBadLength);  // wrong prefix
  CHECK(check_license_id("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002").fault ==
        IdFault::kBadLength);  // no check character
  CHECK(check_license_id("1.2.156.3005.2.111000000000133#8W009.11330105002500287C.2025052201.002.0").fault ==
        IdFault::kBadCharacter);
  CHECK(check_license_id("").fault == IdFault::kBadLength);
  CHECK(mod37_36_check_char("11100000000013338W00911330105002500287C2025052201002") == '0');
}

}  // namespace
}  // namespace yici::schema
