#include "adapters/csv/csv_adapter.h"

#include <filesystem>
#include <thread>

#include <doctest/doctest.h>

#include "hub/core/utf8.h"
#include "tests/support/hub_process.h"
#include "tests/support/read_rows.h"
#include "tests/support/temp_dir.h"

namespace yici::adapters::csv {
namespace {

Result<std::unique_ptr<Adapter>> adapter_from(const std::string& yaml) {
  auto doc = YamlDoc::parse(yaml, "lic.yaml");
  if (!doc) return doc.take_error();
  CsvAdapterFactory factory;
  return factory.create(*doc, doc->root());
}

Result<std::vector<Row>> read_all(Adapter& a, const ReadRequest& req) { return test::read_rows(a, req); }

// A read of licence rows (key zzbh, one more column) with the file and its time, the time as
// the cursor: columns zzbh, `column`, _file, _file_mtime.
ReadRequest by_file_time(const std::string& column) {
  ReadRequest req;
  req.columns = {"zzbh", column, "_file", "_file_mtime"};
  req.primary_key = {"zzbh"};
  req.cursor_column = "_file_mtime";
  return req;
}

void write_gbk(const test::TempDir& dir, const std::string& name, const std::string& utf8) {
  dir.write(name + ".utf8", utf8);
  REQUIRE(test::run_command("iconv -f UTF-8 -t GBK " + dir.file(name + ".utf8") + " > " +
                            dir.file("exports/" + name)) == 0);
  std::filesystem::remove(dir.file(name + ".utf8"));
}

TEST_CASE("csv adapter: a directory of GBK exports, files read oldest first, only changed files again") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  write_gbk(dir, "dzzz_20260101.csv", "zzbh,czzmc\nL1,杭州小馆\nL2,西湖茶社\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_gbk(dir, "dzzz_20260102.csv", "zzbh,czzmc\nL3,钱塘面馆\n");
  dir.write("exports/readme.txt", "not a csv");
  auto a = adapter_from("type: csv\npath: " + dir.file("exports") + "\npattern: \"dzzz_*.csv\"\nencoding: gbk\n");
  REQUIRE(a.ok());
  ReadRequest req = by_file_time("czzmc");
  auto all = read_all(**a, req);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].values[1] == "杭州小馆");
  CHECK((*all)[2].values[2] == "dzzz_20260102.csv");
  const std::string newest = *(*all)[2].values[3];

  req.cursor_from = newest;  // what the pull job would have saved
  auto again = read_all(**a, req);
  REQUIRE(again.ok());
  CHECK(again->size() == 1);  // only the newest file is re-checked; the older one is not pulled again

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_gbk(dir, "dzzz_20260101.csv", "zzbh,czzmc\nL1,杭州小馆（已更名）\nL2,西湖茶社\n");  // changed
  auto changed = read_all(**a, req);
  REQUIRE(changed.ok());
  CHECK(changed->size() == 3);  // the changed file and the newest one

  // A file delivered with its old modification time kept (rsync -t, cp -p): still read, since it
  // arrived after the cursor; read first (oldest content), so it does not override newer exports.
  const std::string cursor = *(*changed)[2].values[3];
  req.cursor_from = cursor;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_gbk(dir, "dzzz_20251201.csv", "zzbh,czzmc\nL0,拱墅书店\n");
  std::filesystem::last_write_time(dir.file("exports/dzzz_20251201.csv"),
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 30));
  auto late = read_all(**a, req);
  REQUIRE(late.ok());
  REQUIRE(late->size() >= 1);
  CHECK((*late)[0].values[2] == "dzzz_20251201.csv");
  CHECK(*(*late)[0].values[3] > cursor);  // its cursor value is when it arrived, so the cursor moves past it
  // Once the cursor has passed its arrival (a newer export came after it), it is not read again.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_gbk(dir, "dzzz_20260103.csv", "zzbh,czzmc\nL4,滨江花店\n");
  auto newer = read_all(**a, req);
  REQUIRE(newer.ok());
  req.cursor_from = *newer->back().values[3];
  auto after = read_all(**a, req);
  REQUIRE(after.ok());
  REQUIRE(after->size() == 1);
  CHECK((*after)[0].values[2] == "dzzz_20260103.csv");
}

TEST_CASE("csv adapter: a ragged row is handed on as a defect named by file and line, and reading goes on") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  // Line 3 has too few fields, line 4 an unquoted comma (too many); the next file is read too.
  dir.write("exports/one.csv", "a,b\n1,2\n3\n4,西湖,区\n5,6\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/two.csv", "a,b\n7,8\n");
  auto a = adapter_from("type: csv\npath: " + dir.file("exports") + "\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"a", "b"};
  req.primary_key = {"a"};
  auto r = read_all(**a, req);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 5);
  CHECK((*r)[0].defect.empty());
  CHECK((*r)[1].key == "bad_row one.csv:3");
  CHECK((*r)[1].defect ==
        "one.csv 第 3 行有 1 个字段，表头有 2 个：多半是导出时未加引号的逗号或换行；请修正该行后重新导出");
  CHECK((*r)[1].values[0] == "3");  // what could be placed, for the department to see
  CHECK_FALSE((*r)[1].values[1].has_value());
  CHECK((*r)[2].key == "bad_row one.csv:4");
  CHECK((*r)[2].defect.find("有 3 个字段") != std::string::npos);
  CHECK((*r)[3].defect.empty());
  CHECK((*r)[3].values[1] == "6");
  CHECK((*r)[4].defect.empty());  // the defect did not leak into the next row
  CHECK((*r)[4].values[0] == "7");
}

TEST_CASE("csv adapter: a stray quote or one never closed spoils its row only, not the file or the next file") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  dir.write("exports/one.csv", "a,b\n1,2\n\"陈某\" ,3\n4,5\n6,\"open\n7,8\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/two.csv", "a,b\n9,10\n");
  auto a = adapter_from("type: csv\npath: " + dir.file("exports") + "\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"a", "b"};
  req.primary_key = {"a"};
  auto r = read_all(**a, req);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 5);
  CHECK((*r)[0].key == "1");
  CHECK((*r)[1].key == "bad_row one.csv:3");
  CHECK((*r)[1].defect.rfind("one.csv 第 3 行引号括起的字段在右引号后还有字符", 0) == 0);
  CHECK((*r)[2].key == "4");
  CHECK((*r)[3].key == "bad_row one.csv:5");
  CHECK((*r)[3].defect.find("开始的引号字段直到文件末尾都未闭合") != std::string::npos);
  CHECK((*r)[4].key == "9");  // the next file is read
}

TEST_CASE("csv adapter: an older export delivered again is read before the newer ones, which are read again") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  const auto age = [&](const std::string& name, int days) {
    std::filesystem::last_write_time(dir.file("exports/" + name),
                                     std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * days));
  };
  dir.write("exports/dzzz_1101.csv", "zzbh,zt\nL1,有效\nL2,有效\n");
  age("dzzz_1101.csv", 20);
  dir.write("exports/dzzz_1115.csv", "zzbh,zt\nL1,注销\n");
  age("dzzz_1115.csv", 5);
  auto a = adapter_from("type: csv\npath: " + dir.file("exports") + "\n");
  REQUIRE(a.ok());
  ReadRequest req = by_file_time("zt");
  auto all = read_all(**a, req);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  req.cursor_from = *all->back().values[3];
  auto nothing = read_all(**a, req);
  REQUIRE(nothing.ok());
  CHECK(nothing->size() == 1);  // the cursor's own file, at the boundary

  // The 1 November export again, its old mtime kept (cp -p): it arrives now, its content is older.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/dzzz_1101.csv", "zzbh,zt\nL1,有效\nL2,有效\n");
  age("dzzz_1101.csv", 20);
  auto again = read_all(**a, req);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 3);
  CHECK((*again)[0].values[2] == "dzzz_1101.csv");
  CHECK((*again)[2].values[2] == "dzzz_1115.csv");  // last: L1 is read as revoked after it
  CHECK((*again)[2].values[1] == "注销");

  // Once a newer export has moved the cursor past the one delivered again, the usual case: what
  // arrives is read, nothing older again.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/dzzz_1120.csv", "zzbh,zt\nL3,有效\n");
  auto with_1120 = read_all(**a, req);
  REQUIRE(with_1120.ok());
  REQUIRE(with_1120->back().values[2] == "dzzz_1120.csv");
  req.cursor_from = *with_1120->back().values[3];
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/dzzz_1125.csv", "zzbh,zt\nL4,有效\n");
  auto fresh = read_all(**a, req);
  REQUIRE(fresh.ok());
  REQUIRE(fresh->size() == 2);
  CHECK((*fresh)[0].values[2] == "dzzz_1120.csv");  // the cursor's own file, at the boundary
  CHECK((*fresh)[1].values[2] == "dzzz_1125.csv");
}

TEST_CASE("csv adapter: empty files, or a BOM or blank line alone, are skipped and the others read") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  dir.write("exports/a.csv", "zzbh,zt\nL1,有效\n");
  dir.write("exports/b.csv", "");
  dir.write("exports/c.csv", "\r\n");
  dir.write("exports/d.csv", "\xEF\xBB\xBF");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/e.csv", "");  // the newest: describe() still finds the columns
  auto a = adapter_from("type: csv\npath: " + dir.file("exports") + "\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"zzbh", "zt"};
  req.primary_key = {"zzbh"};
  auto rows = read_all(**a, req);
  REQUIRE_MESSAGE(rows.ok(), rows.error().message);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].values[0] == "L1");
  auto columns = (*a)->describe();
  REQUIRE(columns.ok());
  REQUIRE(columns->size() == 4);
  CHECK((*columns)[0].name == "zzbh");

  // One file, empty: no rows, no error.
  auto single = adapter_from("type: csv\npath: " + dir.file("exports/b.csv") + "\n");
  REQUIRE(single.ok());
  auto none = read_all(**single, req);
  REQUIRE_MESSAGE(none.ok(), none.error().message);
  CHECK(none->empty());
}

TEST_CASE("csv adapter: a GBK file read as UTF-8 is named as such, and the message stays UTF-8") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  write_gbk(dir, "rk.csv", "姓名,公民身份号码\n张三,11010519491231002X\n");
  auto a = adapter_from("type: csv\npath: " + dir.file("exports/rk.csv") + "\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"公民身份号码", "姓名"};
  req.primary_key = {"公民身份号码"};
  auto rows = read_all(**a, req);
  REQUIRE_FALSE(rows.ok());
  const std::string& message = rows.error().message;
  CHECK(message.find("not found") != std::string::npos);
  CHECK(message.find("set the source's adapter.encoding to gbk") != std::string::npos);
  CHECK(is_printable_utf8(message));
}

TEST_CASE("csv adapter: a directory of GBK and UTF-8 exports is read whole with encoding auto, and only so") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("exports"));
  // The department's old tool wrote GBK, its new one UTF-8 (one file with a byte-order mark).
  write_gbk(dir, "dzzz_1.csv", "证照编号,持证者\nL1,杭州小馆\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/dzzz_2.csv", "证照编号,持证者\nL2,西湖茶社\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.write("exports/dzzz_3.csv", "\xEF\xBB\xBF证照编号,持证者\r\nL3,钱塘面馆\r\n");
  ReadRequest req;
  req.columns = {"证照编号", "持证者", "_file"};
  req.primary_key = {"证照编号"};
  const std::string path = "type: csv\npath: " + dir.file("exports") + "\n";

  auto a = adapter_from(path + "encoding: auto\n");
  REQUIRE(a.ok());
  auto rows = read_all(**a, req);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].values[1] == "杭州小馆");
  CHECK((*rows)[1].values[1] == "西湖茶社");
  CHECK((*rows)[2].values[1] == "钱塘面馆");
  CHECK((*rows)[2].values[2] == "dzzz_3.csv");
  auto columns = (*a)->describe();  // the newest file's header, read by its own encoding
  REQUIRE(columns.ok());
  CHECK((*columns)[0].name == "证照编号");

  // Named GBK, the UTF-8 file's header is mojibake; the message says the file is UTF-8, and names auto.
  auto gbk = adapter_from(path + "encoding: gbk\n");
  auto as_gbk = read_all(**gbk, req);
  REQUIRE_FALSE(as_gbk.ok());
  CHECK(as_gbk.error().message.find("dzzz_2.csv: column") != std::string::npos);
  CHECK(as_gbk.error().message.find("the file is UTF-8 text, not GBK") != std::string::npos);
  CHECK(as_gbk.error().message.find("set it to auto, and each file is read by its content") != std::string::npos);
  // The UTF-8 file with a mark, named GBK, is refused, and the message names auto.
  auto marked = adapter_from("type: csv\npath: " + dir.file("exports/dzzz_3.csv") + "\nencoding: gbk\n");
  auto as_gbk_marked = read_all(**marked, req);
  REQUIRE_FALSE(as_gbk_marked.ok());
  CHECK(as_gbk_marked.error().message.find("dzzz_3.csv starts with a UTF-8 byte-order mark") != std::string::npos);
  CHECK(as_gbk_marked.error().message.find("or to auto if only some of its files are UTF-8") != std::string::npos);
  // A GBK file whose column is really missing gets no such advice.
  auto gbk_only = adapter_from("type: csv\npath: " + dir.file("exports/dzzz_1.csv") + "\nencoding: gbk\n");
  req.columns[1] = "发证机关";
  auto missing = read_all(**gbk_only, req);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("column \"发证机关\" not found") != std::string::npos);
  CHECK(missing.error().message.find("UTF-8") == std::string::npos);
  req.columns[1] = "持证者";
  // Read as UTF-8, the GBK file's header is not found, and the message names auto too.
  auto utf8 = adapter_from(path);
  auto as_utf8 = read_all(**utf8, req);
  REQUIRE_FALSE(as_utf8.ok());
  CHECK(as_utf8.error().message.find("dzzz_1.csv: column") != std::string::npos);
  CHECK(as_utf8.error().message.find("set it to auto, and each file is read by its content") != std::string::npos);
}

TEST_CASE("csv adapter: missing columns name the file and the columns it has") {
  test::TempDir dir;
  dir.write("one.csv", "a,b\n1,2\n3\n");
  auto a = adapter_from("type: csv\npath: " + dir.file("one.csv") + "\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.primary_key = {"a"};
  req.columns = {"a", "xm2"};
  auto missing = read_all(**a, req);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("column \"xm2\" not found; columns are: a, b") != std::string::npos);
  auto cols = (*a)->describe();
  REQUIRE(cols.ok());
  CHECK(cols->size() == 4);
  auto nowhere = adapter_from("type: csv\npath: " + dir.file("none") + "\n");
  auto err = (*nowhere)->read(req);
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("csv adapter: Chinese header names are columns like any other") {
  test::TempDir dir;
  dir.write("rk.csv", "公民身份号码,姓名\n330102199001011234,王小明\n");
  auto a = adapter_from("type: csv\npath: " + dir.file("rk.csv") + "\n");
  REQUIRE(a.ok());
  CHECK((*a)->check_column_name("公民身份号码").ok());
  ReadRequest req;
  req.primary_key = {"公民身份号码"};
  req.columns = {"公民身份号码", "姓名"};
  auto rows = read_all(**a, req);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].key == "330102199001011234");
  CHECK((*rows)[0].values[1] == "王小明");
}

TEST_CASE("csv adapter config: bad values name their line") {
  CHECK(adapter_from("type: csv\npath: x\nencoding: big5\n").error().message.find("lic.yaml:3: adapter.encoding") !=
        std::string::npos);
  CHECK(adapter_from("type: csv\npath: x\ndelimiter: \";;\"\n").error().message.find("one character") !=
        std::string::npos);
  CHECK(adapter_from("type: csv\n").error().message.find("missing required key \"path\"") != std::string::npos);
}

}  // namespace
}  // namespace yici::adapters::csv
