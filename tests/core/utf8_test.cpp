#include "hub/core/utf8.h"

#include <string>

#include <doctest/doctest.h>

namespace yici {
namespace {

TEST_CASE("utf8: bounded text is cut at a character boundary and says how long it was") {
  CHECK(bounded_utf8("short", 8) == "short");
  CHECK(bounded_utf8("exactly8", 8) == "exactly8");
  CHECK(bounded_utf8("abcdefghij", 4) == "abcd…(10 bytes)");
  // "办" is 3 bytes: a cut at byte 4 falls inside the second one, which is left out whole.
  CHECK(bounded_utf8("办办办", 4) == "办…(9 bytes)");
  CHECK(bounded_utf8("办办办", 6) == "办办…(9 bytes)");
}

TEST_CASE("utf8: bytes that are not UTF-8 become U+FFFD, the rest is kept") {
  CHECK(valid_utf8("") == "");
  CHECK(valid_utf8("居民 a\n") == "居民 a\n");  // control characters are JSON's to escape
  // "姓名" in GBK (D0 D5 C3 FB) read as UTF-8: four bad bytes, four replacements.
  CHECK(valid_utf8("columns: \xD0\xD5\xC3\xFB, x") == "columns: \uFFFD\uFFFD\uFFFD\uFFFD, x");
  CHECK(valid_utf8("a\xE5\xB1") == "a\uFFFD\uFFFD");          // cut short
  CHECK(valid_utf8("\xC0\xAF张") == "\uFFFD\uFFFD张");        // overlong
  CHECK(valid_utf8("\xED\xA0\x80") == "\uFFFD\uFFFD\uFFFD");  // a surrogate
  CHECK(
      is_printable_utf8(valid_utf8("\xFF\xFE\x80"
                                   "abc\xF8")));
  CHECK(is_valid_utf8("居民\n"));
  CHECK_FALSE(is_valid_utf8("\xD0\xD5"));
}

TEST_CASE("utf8: a bad byte is found wherever it sits in a long ASCII run, and a character across a word is kept") {
  // The scan skips ASCII eight bytes at a time: every offset, and both sides of a word boundary.
  for (std::size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    text[at] = '\xFF';
    INFO("bad byte at " << at);
    CHECK_FALSE(is_valid_utf8(text));
    std::string expected(40, 'a');
    expected.replace(at, 1, "\uFFFD");
    CHECK(valid_utf8(text) == expected);

    std::string wide(40, 'b');
    wide.replace(at, 3, "居");  // a three-byte character starting at each offset
    CHECK(is_valid_utf8(wide));
    CHECK(valid_utf8(wide) == wide);
    wide.erase(at + 2, 1);  // its last byte gone: the two left are one bad sequence each
    CHECK_FALSE(is_valid_utf8(wide));
  }
}

TEST_CASE("utf8: printable UTF-8 passes, broken sequences and control characters do not") {
  CHECK(is_printable_utf8(""));
  CHECK(is_printable_utf8("food-business-license"));
  CHECK(is_printable_utf8("居民 张三·李四"));
  CHECK(is_printable_utf8("\xF0\x9F\x98\x80"));  // U+1F600, four bytes
  CHECK(is_printable_utf8("\xC2\xA0"));          // U+00A0, first after the C1 block
  CHECK(is_printable_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CHECK(is_printable_utf8("\xEF\xBF\xBD"));      // U+FFFD is text

  CHECK_FALSE(is_printable_utf8("\xFF"));
  CHECK_FALSE(is_printable_utf8("a\x80"));             // a lone continuation byte
  CHECK_FALSE(is_printable_utf8("\xE5\xB1"));          // cut short
  CHECK_FALSE(is_printable_utf8("\xE5\x41\x85"));      // not a continuation byte
  CHECK_FALSE(is_printable_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_printable_utf8("\xE0\x80\xAF"));      // overlong '/', three bytes
  CHECK_FALSE(is_printable_utf8("\xED\xA0\x80"));      // a surrogate (U+D800)
  CHECK_FALSE(is_printable_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(is_printable_utf8("\xF8\x88\x80\x80\x80"));
  CHECK_FALSE(is_printable_utf8(std::string("a\0b", 3)));
  CHECK_FALSE(is_printable_utf8("x\x1B[2K"));  // ESC, as in a terminal escape
  CHECK_FALSE(is_printable_utf8("a\r\nb"));
  CHECK_FALSE(is_printable_utf8("tab\there"));
  CHECK_FALSE(is_printable_utf8("\x7F"));
  CHECK_FALSE(is_printable_utf8("\xC2\x85"));  // U+0085, a C1 control (next line)
}

}  // namespace
}  // namespace yici
