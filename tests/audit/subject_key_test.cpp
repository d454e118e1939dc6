#include "hub/audit/subject_key.h"

#include <optional>
#include <string>

#include <doctest/doctest.h>

namespace yici::audit {
namespace {

constexpr const char* kId = "11010519491231002X";

TEST_CASE("subject key: the ways of writing one ID give one key") {
  for (const char* written : {
           "11010519491231002X",
           "11010519491231002x",                        // lower-case x
           "110105 19491231 002X",                      // spaces
           "110105-19491231-002x",                      // hyphens
           "110105_19491231_002X",                      // underscores
           "\t110105\u00A019491231\u3000002X\r\n",      // tab, NBSP, ideographic space, line end
           "110105\u200B19491231\uFEFF002X",            // zero-width space, BOM
           "110105\u201019491231\u2014002X",            // hyphen, em dash
           "110105\u221219491231\uFE63002X\u00AD",      // minus sign, small hyphen-minus, soft hyphen
           "１１０１０５１９４９１２３１００２ｘ",      // full-width, lower-case x
           "１１０１０５－１９４９１２３１－００２Ｘ",  // full-width with full-width hyphens
           "110105\u2003\u202F19491231\u2009002X",      // em space, narrow NBSP, thin space
       }) {
    CAPTURE(written);
    CHECK(subject_key(written) == kId);
    CHECK(folded_subject_key(written).has_value() == (std::string(written) != kId));
    if (std::string(written) != kId) CHECK(folded_subject_key(written) == std::optional<std::string>(kId));
  }
}

TEST_CASE("subject key: a canonical ID or credit code is its own key, other text keeps what it holds") {
  CHECK_FALSE(folded_subject_key(kId).has_value());
  CHECK_FALSE(folded_subject_key("91330106MA2B3C4D5E").has_value());
  CHECK(subject_key("91330106ma2b3c4d5e") == "91330106MA2B3C4D5E");
  CHECK_FALSE(folded_subject_key("").has_value());
  CHECK(subject_key("   ").empty());
  // Digits and letters are never dropped or merged: another ID stays another key.
  CHECK(subject_key("110105194912310021") != subject_key(kId));
  CHECK(subject_key("110105491231002") == "110105491231002");
  // Other characters are kept: a Chinese name, a dot, a slash.
  CHECK(subject_key("浙A.123/4") == "浙A.123/4");
  CHECK_FALSE(folded_subject_key("浙A.123/4").has_value());
  CHECK(folded_subject_key("浙a.123/4") == std::optional<std::string>("浙A.123/4"));
  // Bytes that are not UTF-8 are kept as they are, not dropped or replaced.
  const std::string bad = std::string("1101\xFF") + "05\xC3";
  CHECK(subject_key(bad) == bad);
  CHECK(subject_key(std::string("a\xFF b")) == std::string("A\xFF"
                                                           "B"));
  // A NUL is kept: it is not whitespace.
  CHECK(subject_key(std::string("1\0002", 3)) == std::string("1\0002", 3));
}

}  // namespace
}  // namespace yici::audit
