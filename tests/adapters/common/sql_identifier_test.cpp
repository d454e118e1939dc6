#include "adapters/common/sql_identifier.h"

#include <doctest/doctest.h>

#include "adapters/common/select_builder.h"

namespace yici::adapters {
namespace {

TEST_CASE("identifiers from config: plain names only") {
  CHECK(is_safe_identifier("sfzh"));
  CHECK(is_safe_identifier("_gxsj2"));
  CHECK_FALSE(is_safe_identifier(""));
  CHECK_FALSE(is_safe_identifier("2col"));
  CHECK_FALSE(is_safe_identifier("a b"));
  CHECK_FALSE(is_safe_identifier("x\"; DROP TABLE person; --"));
  CHECK_FALSE(is_safe_identifier("姓名"));
  CHECK_FALSE(is_safe_identifier(std::string(64, 'a')));
  CHECK(is_safe_table_name("rk.jbxx"));
  CHECK_FALSE(is_safe_table_name("a.b.c"));
  CHECK_FALSE(is_safe_table_name(".b"));
  CHECK(quote_table_name("rk.jbxx") == "\"rk\".\"jbxx\"");
}

TEST_CASE("queries from config: one SELECT, no comments, no second statement") {
  CHECK(check_select_query("SELECT a FROM t").value() == "SELECT a FROM t");
  CHECK(check_select_query("  with x as (select 1) select * from x ;  ").value() ==
        "with x as (select 1) select * from x");
  CHECK_FALSE(check_select_query("DELETE FROM t").ok());
  CHECK_FALSE(check_select_query("SELECT 1; DROP TABLE t").ok());
  CHECK_FALSE(check_select_query("SELECT 1 -- sneaky").ok());
  CHECK_FALSE(check_select_query("SELECT /* x */ 1").ok());
  CHECK_FALSE(check_select_query("   ").ok());
}

TEST_CASE("the SELECT for a read request: quoted identifiers, cursor parameter, stable order") {
  ReadRequest req;
  req.columns = {"sfzh", "xm", "gxsj"};
  req.primary_key = {"sfzh"};
  req.cursor_column = "gxsj";
  req.cursor_from = "2026-01-01";
  auto sql = build_select({"person", ""}, req, '?');
  REQUIRE(sql.ok());
  CHECK(*sql ==
        R"(SELECT "sfzh", "xm", "gxsj" FROM "person" WHERE ("gxsj" >= ?1 OR "gxsj" IS NULL) ORDER BY "gxsj", "sfzh")");
  req.cursor_from.reset();
  req.cursor_column.clear();
  CHECK(build_select({"", "SELECT * FROM p"}, req, '$').value() ==
        R"(SELECT "sfzh", "xm", "gxsj" FROM (SELECT * FROM p) AS yici_src ORDER BY "sfzh")");
  req.resume_after = "[1]";  // the values are the adapter's to bind; one parameter per key column
  CHECK(build_select({"person", ""}, req, '?').value() ==
        R"(SELECT "sfzh", "xm", "gxsj" FROM "person" WHERE "sfzh" > ?1 ORDER BY "sfzh")");
  req.primary_key = {"sfzh", "xm"};
  CHECK(build_select({"person", ""}, req, '$').value() ==
        R"(SELECT "sfzh", "xm", "gxsj" FROM "person" WHERE ("sfzh", "xm") > ($1, $2) ORDER BY "sfzh", "xm")");
  req.cursor_column = "gxsj";  // a resumed read is a full read
  CHECK_FALSE(build_select({"person", ""}, req, '?').ok());
  req.cursor_column.clear();
  req.resume_after.reset();
  req.primary_key = {"sfzh"};
  req.columns.push_back("bad col");
  CHECK_FALSE(build_select({"person", ""}, req, '?').ok());
  ReadRequest missing_key;
  missing_key.columns = {"a"};
  missing_key.primary_key = {"b"};
  CHECK_FALSE(key_indices(missing_key).ok());
}

}  // namespace
}  // namespace yici::adapters
