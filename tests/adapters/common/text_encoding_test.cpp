#include "adapters/common/text_encoding.h"

#include <doctest/doctest.h>

namespace yici::adapters {
namespace {

TEST_CASE("text encoding: GBK text and GB18030's four-byte forms become UTF-8, bad or cut bytes are errors") {
  CHECK(gb18030_to_utf8("\xD5\xC5\xC8\xFD sfzh").value() == "张三 sfzh");
  CHECK(gb18030_to_utf8("\x81\x30\x84\x36\x94\x39\xFC\x36").value() == "¥😀");  // four-byte GB18030 forms
  CHECK(gb18030_to_utf8("").value().empty());
  auto bad = gb18030_to_utf8("ab\x81\x20");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "bytes at offset 2 are not GB18030");
  auto cut = gb18030_to_utf8("ab\xD5");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().message == "the text ends inside a GB18030 character");
}

TEST_CASE("text encoding: a Content-Type names GBK in its charset parameter, in any case, quoted or not") {
  CHECK(charset_is_gb("application/json; charset=GBK"));
  CHECK(charset_is_gb("application/json;charset=\"gb2312\""));
  CHECK(charset_is_gb("text/plain; Charset=GB18030; foo=bar"));
  CHECK_FALSE(charset_is_gb("application/json"));
  CHECK_FALSE(charset_is_gb("application/json; charset=utf-8"));
  CHECK_FALSE(charset_is_gb("application/json; charset=gbkx"));
  CHECK_FALSE(charset_is_gb("application/json; charset=auto"));  // a name the hub takes, but no charset
}

TEST_CASE("text encoding: names in any case, GB2312 and CP936 read as GBK, others refused with the name") {
  CHECK(parse_encoding("UTF8").value() == Encoding::kUtf8);
  CHECK(parse_encoding("utf-8").value() == Encoding::kUtf8);
  CHECK(parse_encoding("GBK").value() == Encoding::kGbk);
  CHECK(parse_encoding("gb2312").value() == Encoding::kGbk);
  CHECK(parse_encoding("CP936").value() == Encoding::kGbk);
  CHECK(parse_encoding("GB18030").value() == Encoding::kGb18030);
  auto big5 = parse_encoding("big5");
  REQUIRE_FALSE(big5.ok());
  CHECK(big5.error().message == "encoding must be utf-8, gbk, gb18030 or auto, got \"big5\"");
  CHECK(parse_encoding("Auto").value() == Encoding::kAuto);
  CHECK(charset_is_gb("text/csv; charset=cp936"));
}

}  // namespace
}  // namespace yici::adapters
