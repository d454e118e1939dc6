#include "adapters/csv/csv_reader.h"

#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::adapters::csv {
namespace {

std::vector<std::vector<std::string>> read_all(const std::string& path, CsvOptions options = {}) {
  auto r = CsvReader::open(path, options);
  REQUIRE(r.ok());
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> fields;
  while (true) {
    auto more = (*r)->next(fields);
    if (!more.ok()) FAIL(more.error().message);
    if (!*more) break;
    out.push_back(fields);
  }
  return out;
}

TEST_CASE("csv: RFC 4180 quoting, embedded newlines and quotes, CRLF, BOM, blank lines") {
  test::TempDir dir;
  dir.write("a.csv",
            "\xEF\xBB\xBFid,name,addr\r\n"
            "1,\"王, 小明\",\"杭州市\r\n西湖区\"\r\n"
            "\r\n"
            "2,\"say \"\"hi\"\"\",\r\n"
            "3,,\"\"");
  auto rows = read_all(dir.file("a.csv"));
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"id", "name", "addr"});
  CHECK(rows[1] == std::vector<std::string>{"1", "王, 小明", "杭州市\r\n西湖区"});
  CHECK(rows[2] == std::vector<std::string>{"2", "say \"hi\"", ""});
  CHECK(rows[3] == std::vector<std::string>{"3", "", ""});
}

TEST_CASE("csv: GBK input is converted to UTF-8, also across read-buffer boundaries") {
  test::TempDir dir;
  std::string text = "证照编号,持证者\n";
  for (int i = 0; i < 5000; ++i)
    text += std::to_string(i) + ",浙江省杭州市食品经营许可证持证人" + std::to_string(i) + "\n";
  dir.write("utf8.csv", text);
  REQUIRE(test::run_command("iconv -f UTF-8 -t GBK " + dir.file("utf8.csv") + " > " + dir.file("gbk.csv")) == 0);
  CsvOptions gbk;
  gbk.encoding = Encoding::kGbk;
  auto rows = read_all(dir.file("gbk.csv"), gbk);
  REQUIRE(rows.size() == 5001);
  CHECK(rows[0][0] == "证照编号");
  CHECK(rows[4321][1] == "浙江省杭州市食品经营许可证持证人4320");
}

TEST_CASE("csv: encoding auto reads each file by its content, and a corrupt byte does not turn UTF-8 into GBK") {
  test::TempDir dir;
  std::string text = "证照编号,持证者\n";
  // Past the sniffer's 4096 sequences and its 64 KiB chunk: the verdict is settled early and the
  // file is read again from its first byte.
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",浙江省杭州市持证人" + std::to_string(i) + "\n";
  dir.write("utf8.csv", text);
  REQUIRE(test::run_command("iconv -f UTF-8 -t GBK " + dir.file("utf8.csv") + " > " + dir.file("gbk.csv")) == 0);
  dir.write("bom.csv", "\xEF\xBB\xBF" + text);
  dir.write("corrupt.csv", "证照编号,持证者\n1,浙江省杭州市持证人\n2,\xD5\xC5\n3,西湖区\n4,拱墅区余杭区\n");
  CsvOptions auto_options;
  auto_options.encoding = Encoding::kAuto;
  for (const char* name : {"utf8.csv", "gbk.csv", "bom.csv"}) {
    INFO(name);
    auto rows = read_all(dir.file(name), auto_options);
    REQUIRE(rows.size() == 3001);
    CHECK(rows[0][0] == "证照编号");
    CHECK(rows[2999][1] == "浙江省杭州市持证人2998");
    auto r = CsvReader::open(dir.file(name), auto_options);
    CHECK((*r)->encoding() == (std::string(name) == "gbk.csv" ? Encoding::kGb18030 : Encoding::kUtf8));
  }
  // 25 UTF-8 characters against one GBK character's two malformed bytes: UTF-8, and the bad bytes
  // reach the normaliser as they are (bad_encoding quarantines that row alone). Read as GB18030,
  // the UTF-8 rows would have become mojibake without an error.
  auto r = CsvReader::open(dir.file("corrupt.csv"), auto_options);
  CHECK((*r)->encoding() == Encoding::kUtf8);
  CHECK((*r)->sniffed().malformed_sequences() == 2);
  auto rows = read_all(dir.file("corrupt.csv"), auto_options);
  REQUIRE(rows.size() == 5);
  CHECK(rows[1][1] == "浙江省杭州市持证人");
  CHECK(rows[2][1] == "\xD5\xC5");
  CHECK(rows[3][1] == "西湖区");
}

TEST_CASE("csv: records that are not valid CSV are handed on with a defect, and reading goes on") {
  test::TempDir dir;
  std::vector<std::string> f;
  // A quote never closed: the rest of the file is one unreadable record, then the end.
  dir.write("open.csv", "a,b\n1,\"never closed\n2,3\n");
  auto r = CsvReader::open(dir.file("open.csv"), {});
  REQUIRE((*r)->next(f).value());
  REQUIRE((*r)->next(f).value());
  CHECK((*r)->record_line() == 2);
  CHECK((*r)->defect().find("引号字段直到文件末尾都未闭合") != std::string::npos);
  CHECK(f.empty());
  CHECK_FALSE((*r)->next(f).value());

  // A character after a closing quote: that line is a defect, the next lines are read.
  dir.write("after.csv", "a,b\n1,x\n\"陈某\" ,1\n3,y\n");
  auto r2 = CsvReader::open(dir.file("after.csv"), {});
  REQUIRE((*r2)->next(f).value());
  REQUIRE((*r2)->next(f).value());
  CHECK((*r2)->defect().empty());
  REQUIRE((*r2)->next(f).value());
  CHECK((*r2)->record_line() == 3);
  CHECK((*r2)->defect().find("右引号后还有字符") != std::string::npos);
  REQUIRE((*r2)->next(f).value());
  CHECK((*r2)->defect().empty());
  CHECK(f == std::vector<std::string>{"3", "y"});
  CHECK((*r2)->record_line() == 4);
  CHECK_FALSE((*r2)->next(f).value());

  // Bytes that are not GBK: each bad byte reads as U+FFFD and the rest of the file is read, so
  // only the row holding it is quarantined (the normaliser refuses U+FFFD as bad_encoding).
  dir.write("badgbk.csv", std::string("a,b\n\x81\x20,1\n\xD5\xC5,2\n\x80\x80,3\n"));
  CsvOptions gbk;
  gbk.encoding = Encoding::kGbk;
  auto r3 = CsvReader::open(dir.file("badgbk.csv"), gbk);
  REQUIRE((*r3)->next(f).value());
  REQUIRE((*r3)->next(f).value());
  CHECK(f == std::vector<std::string>{"\xEF\xBF\xBD ", "1"});
  REQUIRE((*r3)->next(f).value());
  CHECK(f == std::vector<std::string>{"张", "2"});  // the next row is read as it should be
  REQUIRE((*r3)->next(f).value());
  CHECK(f == std::vector<std::string>{"\xEF\xBF\xBD\xEF\xBF\xBD", "3"});
  CHECK_FALSE((*r3)->next(f).value());
  CHECK((*r3)->invalid_sequences() == 3);
  CHECK((*r3)->first_invalid_line() == 2);

  // A record over the limit: not kept, the next line is read.
  CsvOptions small;
  small.max_record_bytes = 100;
  dir.write("long.csv", "a\n" + std::string(1000, 'x') + "\nok\n");
  auto r4 = CsvReader::open(dir.file("long.csv"), small);
  REQUIRE((*r4)->next(f).value());
  REQUIRE((*r4)->next(f).value());
  CHECK((*r4)->defect().find("超过 100 字节") != std::string::npos);
  CHECK(f.empty());
  REQUIRE((*r4)->next(f).value());
  CHECK((*r4)->defect().empty());
  CHECK(f == std::vector<std::string>{"ok"});
  CHECK((*r4)->record_line() == 3);

  // A quoted field over the limit that spans lines (holding commas and line breaks): the whole
  // record is one defect, and the row after it is read as a row. Its lines were each taken for a
  // record, and its closing quote opened a field that swallowed the rest of the file.
  std::string big;
  for (int i = 0; i < 40; ++i) big += "a,b\n";
  dir.write("bigq.csv", "id,name\n1,\"" + big + "\"\n2,ok\n3,\"" + big + "\" ,x\n4,fine\n");
  auto r6 = CsvReader::open(dir.file("bigq.csv"), small);
  REQUIRE((*r6)->next(f).value());
  REQUIRE((*r6)->next(f).value());
  CHECK((*r6)->defect().find("超过 100 字节") != std::string::npos);
  CHECK((*r6)->record_line() == 2);
  REQUIRE((*r6)->next(f).value());
  CHECK((*r6)->defect().empty());
  CHECK(f == std::vector<std::string>{"2", "ok"});
  CHECK((*r6)->record_line() == 43);
  // Over the limit, with a character after its closing quote too: still one defect.
  REQUIRE((*r6)->next(f).value());
  CHECK_FALSE((*r6)->defect().empty());
  REQUIRE((*r6)->next(f).value());
  CHECK((*r6)->defect().empty());
  CHECK(f == std::vector<std::string>{"4", "fine"});
  CHECK_FALSE((*r6)->next(f).value());
  // Over the limit and never closed: one defect to the end of the file.
  dir.write("bigopen.csv", "id,name\n1,\"" + big + "2,ok\n");
  auto r7 = CsvReader::open(dir.file("bigopen.csv"), small);
  REQUIRE((*r7)->next(f).value());
  REQUIRE((*r7)->next(f).value());
  CHECK((*r7)->defect().find("引号字段直到文件末尾都未闭合") != std::string::npos);
  CHECK_FALSE((*r7)->next(f).value());

  // A GBK export cut inside its last character: that byte reads as U+FFFD, the rows before stand.
  dir.write("cut.csv", std::string("a,b\n\xD5\xC5,1\n2,\xD5"));
  auto r5 = CsvReader::open(dir.file("cut.csv"), gbk);
  REQUIRE((*r5)->next(f).value());
  REQUIRE((*r5)->next(f).value());
  CHECK(f == std::vector<std::string>{"张", "1"});
  REQUIRE((*r5)->next(f).value());
  CHECK(f == std::vector<std::string>{"2", "\xEF\xBF\xBD"});
  CHECK_FALSE((*r5)->next(f).value());
  CHECK((*r5)->invalid_sequences() == 1);

  // A UTF-8 file (with its byte-order mark) in a source declared GBK: named, not read as 锘縮fzh.
  dir.write("bom.csv", "\xEF\xBB\xBFsfzh,xm\n1,张三\n");
  auto bom = CsvReader::open(dir.file("bom.csv"), gbk);
  REQUIRE_FALSE(bom.ok());
  CHECK(bom.error().message.find("starts with a UTF-8 byte-order mark") != std::string::npos);
  auto bom_utf8 = CsvReader::open(dir.file("bom.csv"), {});
  REQUIRE((*bom_utf8)->next(f).value());
  CHECK(f == std::vector<std::string>{"sfzh", "xm"});

  CHECK_FALSE(CsvReader::open(dir.file("missing.csv"), {}).ok());
  CHECK_FALSE(parse_encoding("latin1").ok());
}

}  // namespace
}  // namespace yici::adapters::csv
