#include "adapters/sqlite/sqlite_adapter.h"

#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/temp_dir.h"

namespace yici::adapters::sqlite {
namespace {

// A public-security population table in its own pinyin column names.
void make_source(const std::string& path) {
  auto conn = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadWrite);
  REQUIRE(conn.ok());
  REQUIRE((*conn)
              ->exec(R"sql(
    CREATE TABLE rk_jbxx (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, gxsj TEXT);
    INSERT INTO rk_jbxx VALUES ('330102199001011234', '王小明', '男', '2026-01-02 10:00:00');
    INSERT INTO rk_jbxx VALUES ('330102198505052345', '李华', NULL, '2026-01-01 09:00:00');
    INSERT INTO rk_jbxx VALUES ('330106197712123456', '陈静', '女', '2026-01-02 10:00:00');
  )sql")
              .ok());
}

Result<std::unique_ptr<Adapter>> adapter_from(const std::string& yaml) {
  auto doc = YamlDoc::parse(yaml, "source.yaml");
  if (!doc) return doc.take_error();
  AdapterRegistry registry;
  register_builtin_adapters(registry);
  return registry.create(*doc, doc->root());
}

std::vector<Row> read_all(Adapter& a, const ReadRequest& req) {
  auto reader = a.read(req);
  REQUIRE(reader.ok());
  std::vector<Row> rows;
  Row row;
  while (true) {
    auto more = (*reader)->next(row);
    REQUIRE(more.ok());
    if (!*more) break;
    rows.push_back(row);
  }
  return rows;
}

TEST_CASE("sqlite adapter: full read ordered by key, NULLs preserved, keys filled") {
  test::TempDir dir;
  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") + "\ntable: rk_jbxx\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"sfzh", "xm", "xb"};
  req.primary_key = {"sfzh"};
  auto rows = read_all(**a, req);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].key == "330102198505052345");
  CHECK_FALSE(rows[0].values[2].has_value());
  CHECK(rows[1].values[1] == "王小明");
  CHECK(rows[2].key == "330106197712123456");
}

TEST_CASE("sqlite adapter: incremental read uses >= the cursor and orders by cursor then key") {
  test::TempDir dir;
  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") + "\ntable: rk_jbxx\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"sfzh", "gxsj"};
  req.primary_key = {"sfzh"};
  req.cursor_column = "gxsj";
  req.cursor_from = "2026-01-02 10:00:00";
  auto rows = read_all(**a, req);
  REQUIRE(rows.size() == 2);  // both rows sharing the cursor value, not just the ones after it
  CHECK(rows[0].key == "330102199001011234");
  CHECK(rows[1].key == "330106197712123456");
}

TEST_CASE("sqlite adapter: a query source and composite keys") {
  test::TempDir dir;
  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") +
                        "\nquery: \"SELECT sfzh, xm, substr(sfzh, 1, 6) AS qh FROM rk_jbxx\"\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"qh", "sfzh", "xm"};
  req.primary_key = {"qh", "sfzh"};
  auto rows = read_all(**a, req);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].key == std::string("330102") + '\x1f' + "330102198505052345");
  auto cols = (*a)->describe();
  REQUIRE(cols.ok());
  REQUIRE(cols->size() == 3);
  CHECK((*cols)[2].name == "qh");
}

TEST_CASE("sqlite adapter: describe reports columns and declared types") {
  test::TempDir dir;
  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") + "\ntable: rk_jbxx\n");
  REQUIRE(a.ok());
  auto cols = (*a)->describe();
  REQUIRE(cols.ok());
  REQUIRE(cols->size() == 4);
  CHECK((*cols)[0].name == "sfzh");
  CHECK((*cols)[0].type == "TEXT");
}

TEST_CASE("sqlite adapter: the source is opened read-only") {
  test::TempDir dir;
  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") + "\nquery: \"SELECT * FROM rk_jbxx\"\n");
  REQUIRE(a.ok());
  auto conn = store::sqlite::Connection::open(dir.file("psb.db"), store::sqlite::Connection::Mode::kReadOnly);
  REQUIRE(conn.ok());
  CHECK_FALSE((*conn)->exec("DELETE FROM rk_jbxx").ok());
}

TEST_CASE("sqlite adapter: failures are errors with the path, not crashes") {
  test::TempDir dir;
  auto missing = adapter_from("type: sqlite\npath: " + dir.file("nope.db") + "\ntable: t\n");
  REQUIRE(missing.ok());  // config is fine; the connection fails on use
  ReadRequest req;
  req.columns = {"a"};
  req.primary_key = {"a"};
  auto r = (*missing)->read(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.find("nope.db") != std::string::npos);

  make_source(dir.file("psb.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("psb.db") + "\ntable: rk_jbxx\n");
  req.columns = {"no_such_column"};
  req.primary_key = {"no_such_column"};
  auto bad = (*a)->read(req);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("no_such_column") != std::string::npos);

  dir.write("junk.db", std::string(4096, 'j'));
  auto junk = adapter_from("type: sqlite\npath: " + dir.file("junk.db") + "\ntable: t\n");
  CHECK_FALSE((*junk)->describe().ok());
}

TEST_CASE("sqlite adapter config: each kind of bad block names its line") {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"type: sqlite\ntable: t\n", "missing required key \"path\""},
      {"type: sqlite\npath: x.db\n", "exactly one of \"table\" or \"query\""},
      {"type: sqlite\npath: x.db\ntable: t\nquery: SELECT 1\n", "exactly one of"},
      {"type: sqlite\npath: x.db\ntable: \"t; DROP TABLE t\"\n", "source.yaml:3: adapter.table"},
      {"type: sqlite\npath: x.db\nquery: \"SELECT 1; DELETE FROM t\"\n", "source.yaml:3: adapter.query"},
      {"type: sqlite\npath: x.db\ntable: t\nhost: h\n", "source.yaml:4: unknown key \"host\""},
      {"type: oracle\npath: x\n",
       "source.yaml:1: unknown adapter type \"oracle\" (known: csv, postgres, rest, sqlite)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto r = adapter_from(c.yaml);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("adapter registry: duplicate names are refused") {
  AdapterRegistry registry;
  register_builtin_adapters(registry);
  CHECK_FALSE(registry.add(std::make_unique<SqliteAdapterFactory>()).ok());
  CHECK(registry.find("sqlite") != nullptr);
  CHECK(registry.find("postgres") != nullptr);
  CHECK(registry.find("ftp") == nullptr);
}

}  // namespace
}  // namespace yici::adapters::sqlite
