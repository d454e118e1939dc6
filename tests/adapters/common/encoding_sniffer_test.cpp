#include "adapters/common/encoding_sniffer.h"

#include <doctest/doctest.h>

#include "adapters/common/text_encoding.h"

namespace yici::adapters {
namespace {

// "浙江省杭州市西湖区张三" in GBK: what a department's old export tool writes.
const std::string kGbk = "\xD5\xE3\xBD\xAD\xCA\xA1\xBA\xBC\xD6\xDD\xCA\xD0\xCE\xF7\xBA\xFE\xC7\xF8\xD5\xC5\xC8\xFD";
const std::string kUtf8 = "浙江省杭州市西湖区张三";

std::string lines(const std::string& name, int n) {
  std::string out = "id,name\n";
  for (int i = 0; i < n; ++i) out += std::to_string(i) + "," + name + "\n";
  return out;
}

TEST_CASE("encoding sniffer: GBK text is GB18030, UTF-8 text UTF-8, ASCII UTF-8, a byte-order mark UTF-8") {
  CHECK(sniff_encoding(lines(kGbk, 50)) == Encoding::kGb18030);
  CHECK(sniff_encoding(lines(kUtf8, 50)) == Encoding::kUtf8);
  CHECK(sniff_encoding(lines("zhang san", 50)) == Encoding::kUtf8);
  CHECK(sniff_encoding("") == Encoding::kUtf8);
  CHECK(sniff_encoding("\xEF\xBB\xBF" + lines("a", 3)) == Encoding::kUtf8);
  // One GBK name among ASCII is still GBK: no UTF-8 sequence at all speaks for UTF-8.
  CHECK(sniff_encoding(lines("zhang san", 500) + "9," + kGbk + "\n") == Encoding::kGb18030);
  // GBK characters that happen to form UTF-8 (lead 0xC2–0xDF, trail 0x80–0xBF) do not tip it:
  // "谈论" is 0xCC 0xB8 0xC2 0xDB in GBK, its first pair well-formed UTF-8 (U+0338).
  CHECK(sniff_encoding(lines("\xCC\xB8\xC2\xDB" + kGbk, 50)) == Encoding::kGb18030);
}

TEST_CASE("encoding sniffer: a UTF-8 file with a few corrupt bytes stays UTF-8, one mostly malformed is GB18030") {
  // 100 UTF-8 lines of 11 characters, then one corrupt byte: 1100 sequences against 1.
  EncodingSniffer few;
  few.feed(lines(kUtf8, 100) + "x,\xFF\n");
  few.finish();
  CHECK(few.utf8_sequences() == 1100);
  CHECK(few.malformed_sequences() == 1);
  CHECK(few.verdict() == Encoding::kUtf8);
  // At the margin: ten UTF-8 sequences to one malformed is still UTF-8, nine to one is not.
  CHECK(sniff_encoding(std::string(10, 'x') + "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3"
                                              "\xA9\xC3\xA9\xFF") == Encoding::kUtf8);
  CHECK(sniff_encoding("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xFF") ==
        Encoding::kGb18030);
}

TEST_CASE("encoding sniffer: text fed in pieces cut anywhere counts as the whole does") {
  const std::string text = "\xEF\xBB\xBF" + lines(kUtf8 + "😀é" + kGbk, 3) + "\xE6\xB5";  // ends cut
  EncodingSniffer whole;
  whole.feed(text);
  whole.finish();
  CHECK(whole.byte_order_mark());
  CHECK(whole.malformed_sequences() > 0);
  for (std::size_t a = 0; a <= text.size(); ++a) {
    for (std::size_t b = a; b <= text.size(); b += 7) {
      EncodingSniffer pieces;
      pieces.feed(std::string_view(text).substr(0, a));
      pieces.feed(std::string_view(text).substr(a, b - a));
      pieces.feed(std::string_view(text).substr(b));
      pieces.finish();
      INFO("cut at ", a, " and ", b);
      REQUIRE(pieces.utf8_sequences() == whole.utf8_sequences());
      REQUIRE(pieces.malformed_sequences() == whole.malformed_sequences());
      REQUIRE(pieces.byte_order_mark());
    }
  }
  // A sequence cut by the end of the text is malformed: its two bytes.
  EncodingSniffer cut;
  cut.feed("ab\xE6\xB5");
  cut.finish();
  CHECK(cut.utf8_sequences() == 0);
  CHECK(cut.malformed_sequences() == 2);
  // Text shorter than a byte-order mark is read too.
  EncodingSniffer tiny;
  tiny.feed("\xEF\xBB");
  CHECK_FALSE(tiny.byte_order_mark());
  tiny.finish();
  CHECK(tiny.malformed_sequences() == 2);
}

TEST_CASE("encoding sniffer: settled after enough sequences or a byte-order mark, not before") {
  EncodingSniffer s;
  s.feed(lines(kUtf8, 372));  // 4092 sequences
  CHECK_FALSE(s.settled());
  s.feed(kUtf8);
  CHECK(s.settled());
  EncodingSniffer bom;
  bom.feed("\xEF\xBB\xBF");
  CHECK(bom.settled());
  EncodingSniffer ascii;
  ascii.feed(std::string(1 << 20, 'a'));
  CHECK_FALSE(ascii.settled());
}

}  // namespace
}  // namespace yici::adapters
