#include "hub/store/source_key.h"

#include <doctest/doctest.h>

namespace yici::store {
namespace {

TEST_CASE("source key: spellings of one key fold to one canonical key") {
  CHECK(canonical_source_key("11010519491231002X") == "11010519491231002X");
  CHECK(canonical_source_key("11010519491231002x") == "11010519491231002X");
  CHECK(canonical_source_key("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X");
  CHECK(canonical_source_key("　91350100M000100Y43 \t") == "91350100M000100Y43");
  CHECK(canonical_source_key("\xC2\xA0"
                             "A1\r\n") == "A1");
  CHECK(canonical_source_key("ＡＢＣ－１２３／（Ｘ）") == "ABC-123/(X)");
  CHECK(canonical_source_key("！") == "!");  // U+FF01, the first full-width form
  CHECK(canonical_source_key("～") == "~");  // U+FF5E, the last
  // Each part of a composite key is trimmed; inner spaces stay.
  CHECK(canonical_source_key(" a b \x1f c ") ==
        "A B\x1f"
        "C");
  CHECK(canonical_source_key("\x1f x") == "\x1fX");
  CHECK(canonical_source_key("") == "");
  CHECK(canonical_source_key("   ") == "");
}

TEST_CASE("source key: other text is kept as it is") {
  CHECK(canonical_source_key("杭州市西湖区") == "杭州市西湖区");
  CHECK(canonical_source_key("ß é Ω") == "ß é Ω");
  CHECK(canonical_source_key("｟") == "｟");              // U+FF5F: past the full-width ASCII forms
  CHECK(canonical_source_key("ｶ") == "ｶ");                // half-width katakana U+FF76
  CHECK(canonical_source_key("\xEF\xBC") == "\xEF\xBC");  // a cut sequence at the end: bytes kept
  CHECK(canonical_source_key("a\xE3\x80") == "A\xE3\x80");
  CHECK(canonical_source_key("A\tB") == "A\tB");  // inner
  // As the schema's cleaner: invisible characters go; a part it refuses is only trimmed and cased.
  CHECK(canonical_source_key("\xE2\x80\x8B"
                             "a1\xEF\xBB\xBF") == "A1");
  CHECK(canonical_source_key(" a\x01 ") == "A\x01");
}

TEST_CASE("source key: canonical keys are their own canonical form") {
  for (const char* key : {"11010519491231002x", "　x ", " a \x1f b ", "ＡＢＣ", "杭州 ", "\xEF\xBC", "", "Q\x1f"}) {
    const std::string once = canonical_source_key(key);
    CHECK(canonical_source_key(once) == once);
  }
}

TEST_CASE("source key: a key with an empty part is missing") {
  CHECK(key_part_missing("", 1));
  CHECK_FALSE(key_part_missing("A", 1));
  CHECK_FALSE(
      key_part_missing("A\x1f"
                       "B",
                       2));
  CHECK(
      key_part_missing("\x1f"
                       "B",
                       2));
  CHECK(key_part_missing("A\x1f", 2));
  CHECK(key_part_missing("A", 2));  // fewer parts than the key has
  CHECK(
      key_part_missing("A\x1f\x1f"
                       "C",
                       3));
  CHECK(key_part_missing(canonical_source_key("  \x1f"
                                              "b"),
                         2));
  CHECK_FALSE(key_part_missing("", 0));
}

}  // namespace
}  // namespace yici::store
