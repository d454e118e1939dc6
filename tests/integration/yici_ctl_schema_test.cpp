// yici-ctl normalize and schema check, run as the real binary against the messy fixture files
// (tests/fixtures/schema, made by tools/fixtures/make_schema_fixtures.py with their expected
// results) and against inputs built to break it.
#include <fstream>
#include <set>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {
namespace {

const std::string kCtl = std::string(YICI_BINARY_DIR) + "/yici-ctl";
const std::string kRepo = YICI_SOURCE_DIR;

struct Run {
  int rc = -1;
  std::string out;
  std::string err;
};

Run ctl(const TempDir& dir, const std::string& args) {
  Run r;
  r.rc = run_command("{ " + kCtl + " " + args + " > " + dir.file("out") + " 2> " + dir.file("err") + "; }");
  r.out = read_file(dir.file("out"));
  r.err = read_file(dir.file("err"));
  return r;
}

std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return out;
}

std::set<std::pair<std::string, std::string>> problem_set(const boost::json::object& row, const char* key) {
  std::set<std::pair<std::string, std::string>> out;
  if (const auto* list = row.if_contains(key)) {
    for (const auto& p : list->as_array()) {
      const auto& o = p.as_object();
      out.emplace(o.at("field").is_null() ? "" : std::string(o.at("field").as_string()),
                  std::string(o.at("code").as_string()));
    }
  }
  return out;
}

TEST_CASE("yici-ctl normalize reproduces the expected results of every dataset's messy fixture") {
  // Each with its encoding named, and with --encoding auto, which must find it (the e-licence
  // export is GBK, the others UTF-8, one with a byte-order mark).
  for (const auto& [dataset_name, named] : std::vector<std::pair<std::string, std::string>>{
           {"population", "utf-8"}, {"legal_entity", "utf-8"}, {"e_license", "gbk"}, {"credit", "utf-8"}}) {
    const std::string& dataset = dataset_name;  // a structured binding cannot be captured (CAPTURE) before C++20's fix
    for (const std::string& encoding : {named, std::string("auto")}) {
      CAPTURE(dataset);
      CAPTURE(encoding);
      TempDir dir;
      const std::string fx = kRepo + "/tests/fixtures/schema/" + dataset;
      const Run r =
          ctl(dir, "normalize --schema " + kRepo + "/schemas/" + dataset + ".yaml --input " + fx +
                       "/messy.csv --mapping " + fx + "/mapping.yaml --encoding " + encoding + " --today 2026-06-01");
      INFO(r.err);
      REQUIRE(r.rc == 0);
      const auto got = json_lines(r.out);
      const auto want = json_lines(read_file(fx + "/expected.jsonl"));
      REQUIRE(got.size() == want.size());
      REQUIRE(want.size() >= 100);
      std::size_t rejected = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& w = want[i];
        const auto& g = got[i];
        CAPTURE(boost::json::serialize(w));
        CAPTURE(boost::json::serialize(g));
        CHECK(g.at("row") == w.at("row"));
        REQUIRE(g.at("ok") == w.at("ok"));
        if (w.at("ok").as_bool()) {
          CHECK(g.at("record") == w.at("record"));
          CHECK(problem_set(g, "warnings") == problem_set(w, "warnings"));
        } else {
          ++rejected;
          CHECK(problem_set(g, "errors") == problem_set(w, "errors"));
          for (const auto& e : g.at("errors").as_array()) CHECK_FALSE(e.at("message").as_string().empty());
        }
      }
      CHECK(rejected > 0);  // the fixtures carry defects; a normaliser that accepts everything fails here
      CHECK(r.err.find(std::to_string(want.size()) + " rows: ") != std::string::npos);
    }
  }
}

TEST_CASE("yici-ctl normalize: CSV with schema field names, JSON Lines, and rows that are not rows") {
  TempDir dir;
  dir.write("p.csv",
            "id_number,name,gender,shoe_size\n"
            "11010519491231002x,张三,女,42\n"
            "110105194912310021,李四,男,40\n"
            "only,two\n"
            "\"11010519491231002X\",\"王\n五\",F,39\n");
  Run r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("p.csv") +
                       " --today 2026-06-01");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto rows = json_lines(r.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].at("ok").as_bool());
  CHECK(rows[0].at("record").at("id_number") == "11010519491231002X");
  CHECK(rows[0].at("record").at("gender") == "F");
  CHECK(problem_set(rows[1], "errors").count({"id_number", "bad_checksum"}) == 1);
  CHECK(problem_set(rows[2], "errors").count({"", "bad_row"}) == 1);
  CHECK(rows[3].at("line") == 5);                    // the quoted newline keeps the row on lines 5-6
  CHECK(rows[3].at("record").at("name") == "王五");  // the newline collapses, then CJK spacing goes
  CHECK(r.err.find("\"shoe_size\" is not a field") != std::string::npos);
  CHECK(r.err.find("4 rows: 2 ok") != std::string::npos);

  dir.write("c.jsonl",
            "{\"uscc\":\"91350100M000100Y43\",\"name\":\"某公司\",\"status\":\"存续\",\"registered_capital\":5000000}\n"
            "not json\n"
            "\n"
            "[1,2]\n"
            "{\"uscc\":null,\"name\":\"x\",\"status\":\"注销\"}\n"
            "{\"uscc\":\"91350100M000100Y43\",\"name\":\"甲\",\"name\":\"乙\",\"status\":\"存续\"}\n");
  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/legal_entity.yaml --input " + dir.file("c.jsonl"));
  INFO(r.err);
  REQUIRE(r.rc == 0);
  rows = json_lines(r.out);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].at("record").at("registered_capital") == 5000000);
  CHECK(problem_set(rows[1], "errors").count({"", "bad_row"}) == 1);
  CHECK(problem_set(rows[2], "errors").count({"", "bad_row"}) == 1);
  CHECK(problem_set(rows[3], "errors").count({"uscc", "missing"}) == 1);
  // A key twice is a bad row, as a CSV header naming a column twice is refused: not its last value.
  CHECK(problem_set(rows[4], "errors").count({"", "bad_row"}) == 1);
  CHECK(boost::json::serialize(rows[4]).find("appears twice") != std::string::npos);
}

TEST_CASE("yici-ctl normalize: GBK read as UTF-8 is named row by row, broken inputs stop with a reason") {
  TempDir dir;
  const std::string fx = kRepo + "/tests/fixtures/schema/e_license";
  Run r = ctl(dir, "normalize --schema " + kRepo + "/schemas/e_license.yaml --input " + fx + "/messy.csv --mapping " +
                       fx + "/mapping.yaml --encoding utf-8");
  CHECK(r.rc == 0);
  CHECK(r.out.find("bad_encoding") != std::string::npos);
  CHECK(r.out.find("adapter.encoding 设为 gbk") != std::string::npos);

  // A quote left open at the end of the file: the rows before it are written, and it is a bad_row
  // naming its line, as the hub quarantines it.
  dir.write("open.csv", "id_number,name\n11010519491231002X,张三\n11010519491231002X,\"李四\n");
  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("open.csv"));
  CHECK(r.rc == 0);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].at("ok") == true);
  CHECK(lines[1].at("errors").at(0).at("code") == "bad_row");
  CHECK(std::string(lines[1].at("errors").at(0).at("message").as_string())
            .find("第 3 行开始的引号字段直到文件末尾都未闭合") != std::string::npos);

  dir.write("bad-schema.yaml", "dataset: x\nsubject: id\nfields:\n  - {name: id, type: nothing, required: true}\n");
  r = ctl(dir, "normalize --schema " + dir.file("bad-schema.yaml") + " --input " + dir.file("open.csv"));
  CHECK(r.rc == 1);
  CHECK(r.err.find("bad-schema.yaml:4: field id: unknown type \"nothing\"") != std::string::npos);

  dir.write("map.yaml", "id_number: sfzh\nname: xm\n");
  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("open.csv") +
                   " --mapping " + dir.file("map.yaml"));
  CHECK(r.rc == 1);
  CHECK(r.err.find("column \"sfzh\"") != std::string::npos);

  dir.write("none.csv", "a,b\n1,2\n");
  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("none.csv"));
  CHECK(r.rc == 1);
  CHECK(r.err.find("--mapping") != std::string::npos);

  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("no-such.csv"));
  CHECK(r.rc == 2);
  r = ctl(dir, "normalize --schema " + kRepo + "/schemas/population.yaml --input " + dir.file("none.csv") +
                   " --today tomorrow");
  CHECK(r.rc == 2);
}

TEST_CASE("yici-ctl schema check: ok for the shipped schemas, file:line for each problem") {
  TempDir dir;
  Run r = ctl(dir, "schema check " + kRepo + "/schemas/population.yaml " + kRepo + "/schemas/legal_entity.yaml " +
                       kRepo + "/schemas/e_license.yaml " + kRepo + "/schemas/credit.yaml");
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("population.yaml: ok (population v1") != std::string::npos);
  dir.write("fifth.yaml",
            "dataset: social_security\n"
            "subject: id_number\n"
            "fields:\n"
            "  - {name: id_number, type: id_number, required: true}\n"
            "  - {name: insured_since, type: date, colour: blue}\n"
            "  - {name: id_number, type: string}\n"
            "  - {name: kind, type: enum, codes: insurance_kinds}\n");
  r = ctl(dir, "schema check " + kRepo + "/schemas/credit.yaml " + dir.file("fifth.yaml"));
  CHECK(r.rc == 1);
  CHECK(r.out.find("credit.yaml: ok") != std::string::npos);
  CHECK(r.err.find("fifth.yaml:5:") != std::string::npos);
  CHECK(r.err.find("colour") != std::string::npos);
  CHECK(r.err.find("fifth.yaml:6: duplicate field id_number") != std::string::npos);
  CHECK(r.err.find("fifth.yaml:7:") != std::string::npos);
  CHECK(r.err.find("insurance_kinds") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
