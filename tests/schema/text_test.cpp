#include "hub/schema/text.h"

#include <string>
#include <vector>

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace yici::schema {
namespace {

std::string cleaned(std::string_view in, std::uint32_t transforms) {
  std::string out;
  const TextCheck c = clean(trim(in), transforms, out);
  if (c.fault != TextFault::kNone) return "fault";
  return out;
}

TEST_CASE("trim removes ASCII and ideographic spaces, NBSP and a BOM, nothing else") {
  CHECK(trim("  张三\t") == "张三");
  CHECK(trim("\u3000张三\u3000") == "张三");
  CHECK(trim("\xEF\xBB\xBF张三") == "张三");  // BOM
  CHECK(trim("\u00A0x\u00A0") == "x");
  CHECK(trim("\u200B") == "");
  CHECK(trim("a b") == "a b");
  CHECK(trim("\xFF x \xFF") == "\xFF x \xFF");  // invalid bytes stop the trim, never crash it
  CHECK(trim("") == "");
}

TEST_CASE("transforms") {
  struct Case {
    const char* in;
    std::uint32_t transforms;
    const char* want;
  };
  const Case cases[] = {
      {"１１０１０５１９４９１２３１００２ｘ", kHalfwidth | kUpper, "11010519491231002X"},
      {"3301 0619 9001 0112 34", kStripSeparators, "330106199001011234"},
      {"330106-19900101-1234", kStripSeparators, "330106199001011234"},
      {"ＡＢＣ　ｄｅｆ", kHalfwidth, "ABC def"},
      {"杭州  市\n西湖区", kCollapseSpaces, "杭州 市 西湖区"},
      {"张 三", kCjkSpaces, "张三"},
      {"张 三", kCollapseSpaces | kCjkSpaces, "张三"},
      {"John  Smith", kCollapseSpaces | kCjkSpaces, "John Smith"},
      {"张三 Li", kCollapseSpaces | kCjkSpaces, "张三 Li"},
      {"阿依古丽•买买提", kMiddleDot, "阿依古丽·买买提"},
      {"阿依古丽 · 买买提", kMiddleDot | kCollapseSpaces, "阿依古丽·买买提"},
      {"阿依古丽.买买提", kMiddleDot, "阿依古丽·买买提"},
      {"阿依古丽．买买提", kHalfwidth | kMiddleDot, "阿依古丽·买买提"},
      {"杭州某某有限公司(滨江分公司)", kFullwidthParens, "杭州某某有限公司（滨江分公司）"},
      {"杭州某某有限公司（滨江分公司）", kHalfwidth | kFullwidthParens, "杭州某某有限公司（滨江分公司）"},
      {"Male", kLower, "male"},
      {"张\u200B三", 0, "张三"},        // zero-width space dropped
      {"张\xEF\xBB\xBF三", 0, "张三"},  // BOM inside a value dropped
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(cleaned(c.in, c.transforms) == c.want);
  }
}

TEST_CASE("bad bytes, control characters and U+FFFD are faults with a position") {
  std::string out;
  TextCheck c = clean("ab\xC3(", 0, out);
  CHECK(c.fault == TextFault::kBadUtf8);
  CHECK(c.where == 2);
  CHECK(clean("\xC0\xAF", 0, out).fault == TextFault::kBadUtf8);          // overlong '/'
  CHECK(clean("\xED\xA0\x80", 0, out).fault == TextFault::kBadUtf8);      // a surrogate
  CHECK(clean("\xF4\x90\x80\x80", 0, out).fault == TextFault::kBadUtf8);  // beyond U+10FFFF
  CHECK(clean("\xE5\xBC", 0, out).fault == TextFault::kBadUtf8);          // truncated 张
  c = clean("a\x07z", 0, out);
  CHECK(c.fault == TextFault::kControlCharacter);
  CHECK(c.code_point == 7);
  CHECK(clean("a\x7F", 0, out).fault == TextFault::kControlCharacter);
  CHECK(clean("a\xC2\x85", 0, out).fault == TextFault::kControlCharacter);  // C1 NEL
  CHECK(clean("a\tb\nc", 0, out).fault == TextFault::kNone);
  CHECK(clean("\xEF\xBF\xBD", 0, out).fault == TextFault::kReplacementChar);
}

TEST_CASE("JSON escaping and code points") {
  std::string out;
  append_json_escaped(out, "a\"b\\c\n\x01张");
  CHECK(out == "a\\\"b\\\\c\\n\\u0001张");
  CHECK(code_point_count("张三abc") == 5);
  bool known = false;
  CHECK(transform_from_name("halfwidth", known) == kHalfwidth);
  CHECK(known);
  (void)transform_from_name("full_to_half", known);
  CHECK_FALSE(known);
}

TEST_CASE("JSON escaping (and json_escape_free) finds a character to escape wherever it sits in a long value") {
  // The escaper skips 8 bytes at a time: put each kind of character at every offset of values
  // longer than a word, among ASCII and multi-byte UTF-8, and check the result parses back.
  const std::vector<std::string> specials = {"\"", "\\", "\n", "\t", "\x01", "\x1f", std::string(1, '\0')};
  const std::vector<std::string> fillers = {"abcdefgh", "张三李四王五赵六", " ~\x7f!#$%&"};
  for (const auto& filler : fillers) {
    const std::string base = filler + filler + filler;
    for (const auto& special : specials) {
      for (std::size_t at = 0; at <= base.size(); ++at) {
        if (at < base.size() && (static_cast<unsigned char>(base[at]) & 0xC0) == 0x80) continue;  // inside a character
        const std::string value = base.substr(0, at) + special + base.substr(at);
        std::string out = "\"";
        append_json_escaped(out, value);
        out += "\"";
        boost::system::error_code ec;
        const auto parsed = boost::json::parse(out, ec);
        INFO("offset " << at << " in " << out);
        REQUIRE_FALSE(ec);
        CHECK(parsed.as_string() == value);
        CHECK_FALSE(json_escape_free(value));  // the audit leaf's fast path relies on this
      }
    }
    std::string plain;
    append_json_escaped(plain, base);  // nothing to escape: copied as it is
    CHECK(plain == base);
    CHECK(json_escape_free(base));
    for (std::size_t n = 0; n <= base.size(); ++n) CHECK(json_escape_free(std::string_view(base).substr(0, n)));
  }
}

}  // namespace
}  // namespace yici::schema
