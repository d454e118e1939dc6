#include "adapters/sqlite/sqlite_adapter.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/read_rows.h"
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

// The keys (column k) of an incremental read of table p from `from`, in the order read.
std::string keys_read_from(Adapter& a, const std::string& column, const std::string& from) {
  ReadRequest req;
  req.columns = {"k", column};
  req.primary_key = {"k"};
  req.cursor_column = column;
  req.cursor_from = from;
  std::string keys;
  for (const auto& row : read_all(a, req)) keys += row.key;
  return keys;
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

TEST_CASE("sqlite adapter: an integer cursor is compared as a number, whatever the column's declared type") {
  test::TempDir dir;
  {
    auto conn = store::sqlite::Connection::open(dir.file("v.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    // `ver` has no declared type (no affinity): integers stay integers, and SQLite orders every
    // integer before every text value. `code` is TEXT: its values are text, compared as text.
    REQUIRE(conn->exec("CREATE TABLE p (k TEXT PRIMARY KEY, ver, num INTEGER, code TEXT);"
                       "INSERT INTO p VALUES ('a', 99, 99, '099'), ('b', 100, 100, '100'), ('c', 1000, 1000, '1000');")
                .ok());
  }
  auto a = adapter_from("type: sqlite\npath: " + dir.file("v.db") + "\ntable: p\n");
  REQUIRE(a.ok());
  const auto keys_from = [&](const std::string& column, const std::string& from) {
    return keys_read_from(**a, column, from);
  };
  CHECK(keys_from("ver", "100") == "bc");  // bound as text, it matched nothing
  CHECK(keys_from("num", "100") == "bc");
  CHECK(keys_from("ver", "-5") == "abc");
  // A TEXT column holding counting numbers compares them by length first (text_cursor_test
  // below); other text compares as text.
  CHECK(keys_from("code", "100") == "bc");
  CHECK(keys_from("code", "099") == "abc");  // not canonical: bound as text
  CHECK(keys_from("code", "2026-01-01") == "");
}

TEST_CASE("sqlite adapter: version numbers kept as TEXT are compared and ordered as numbers, timestamps as text") {
  test::TempDir dir;
  {
    auto conn = store::sqlite::Connection::open(dir.file("v.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(conn->exec("CREATE TABLE p (k TEXT PRIMARY KEY, ver VARCHAR(20), num INTEGER, at TEXT);"
                       "INSERT INTO p VALUES ('a', '9', 9, '2026-01-01'), ('b', '10', 10, '2026-01-02'),"
                       "('c', '99', 99, '2026-01-03'), ('d', '100', 100, '2026-01-04'), ('e', '1000', 1000, NULL);")
                .ok());
  }
  auto a = adapter_from("type: sqlite\npath: " + dir.file("v.db") + "\ntable: p\n");
  REQUIRE(a.ok());
  // In the order read: the pull job commits the cursor with each batch, so rows must come in
  // cursor order, or a crash between batches leaves unread rows below it.
  const auto read_from = [&](const std::string& column, const std::string& from) {
    return keys_read_from(**a, column, from);
  };
  // As text, "100" and "1000" sort before "99": a pull from 99 lost them, and every pull after
  // the numbers grew a digit lost every new row.
  CHECK(read_from("ver", "99") == "cde");
  CHECK(read_from("ver", "0") == "abcde");  // as text: b d e a c
  CHECK(read_from("ver", "1001") == "");
  CHECK(read_from("num", "99") == "cde");
  // Timestamps kept as text compare and sort as text, as before; a NULL cursor is read every time.
  CHECK(read_from("at", "2026-01-03") == "ecd");
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

// A composite key of an integer and a text part, where integer and text order differ (2 < 10,
// but "10" < "2"), and a row whose key has a NULL part (it sorts first).
void make_keyed_source(const std::string& path) {
  auto conn = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadWrite);
  REQUIRE(conn.ok());
  REQUIRE((*conn)
              ->exec(R"sql(
    CREATE TABLE zz (a INTEGER, b TEXT, v TEXT, PRIMARY KEY (a, b));
    INSERT INTO zz VALUES (10, 'a', 'x'), (2, 'a', 'x'), (1, 'c', 'x'), (1, 'b', 'x'), (NULL, 'z', 'x');
    CREATE TABLE fp (k REAL PRIMARY KEY, v TEXT);
    INSERT INTO fp VALUES (1.5, 'x');
  )sql")
              .ok());
}

std::vector<std::string> keys_of(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.values[0].value_or("NULL") + "/" + r.values[1].value_or("NULL"));
  return out;
}

TEST_CASE("sqlite adapter: a full read resumes after a row's key, compared as the ORDER BY compares it") {
  test::TempDir dir;
  make_keyed_source(dir.file("zz.db"));
  // The query's columns have no type affinity: a key part bound as text would sort after every
  // integer and the resumed read would return nothing.
  for (const std::string from : {"table: zz", "query: \"SELECT a + 0 AS a, b, v FROM zz\""}) {
    CAPTURE(from);
    auto a = adapter_from("type: sqlite\npath: " + dir.file("zz.db") + "\n" + from + "\n");
    REQUIRE(a.ok());
    REQUIRE((*a)->resumes_by_key());
    ReadRequest req;
    req.columns = {"a", "b", "v"};
    req.primary_key = {"a", "b"};
    auto all = test::read_rows_with_tokens(**a, req);
    REQUIRE(all.ok());
    CHECK(keys_of(all->rows) == std::vector<std::string>{"NULL/z", "1/b", "1/c", "2/a", "10/a"});
    CHECK_FALSE(all->tokens[0].has_value());  // a NULL key part is no resume point
    CHECK(all->tokens[1] == R"([1,"b"])");
    CHECK(all->tokens[3] == R"([2,"a"])");
    CHECK_FALSE(all->token_at_end.has_value());

    req.resume_after = all->tokens[1];
    auto rest = test::read_rows(**a, req);
    REQUIRE(rest.ok());
    CHECK(keys_of(*rest) == std::vector<std::string>{"1/c", "2/a", "10/a"});
    req.resume_after = all->tokens[3];
    rest = test::read_rows(**a, req);
    REQUIRE(rest.ok());
    CHECK(keys_of(*rest) == std::vector<std::string>{"10/a"});
    req.resume_after = all->tokens[4];
    rest = test::read_rows(**a, req);
    REQUIRE(rest.ok());
    CHECK(rest->empty());
  }
}

TEST_CASE("sqlite adapter: a resume position that does not fit the key is refused, and stays data") {
  test::TempDir dir;
  make_keyed_source(dir.file("zz.db"));
  auto a = adapter_from("type: sqlite\npath: " + dir.file("zz.db") + "\ntable: zz\n");
  REQUIRE(a.ok());
  ReadRequest req;
  req.columns = {"a", "b", "v"};
  req.primary_key = {"a", "b"};
  for (const std::string bad : {"", "garbage", "{}", "[1]", R"([1,"b",3])", R"([1.5,"b"])", R"([null,"b"])"}) {
    CAPTURE(bad);
    req.resume_after = bad;
    auto r = (*a)->read(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("resume position") != std::string::npos);
  }
  req.resume_after = R"([1,"b'; DROP TABLE zz; --"])";
  auto hostile = test::read_rows(**a, req);
  REQUIRE(hostile.ok());
  CHECK(keys_of(*hostile) == std::vector<std::string>{"1/c", "2/a", "10/a"});  // 'b'… < 'c': compared as data

  req.resume_after = R"([1,"b"])";
  req.cursor_column = "v";  // resuming is for full reads only
  CHECK_FALSE((*a)->read(req).ok());

  // A REAL key is no resume point: a full pull of it cannot go on after a crash, it starts again.
  auto fp = adapter_from("type: sqlite\npath: " + dir.file("zz.db") + "\ntable: fp\n");
  REQUIRE(fp.ok());
  ReadRequest fr;
  fr.columns = {"k", "v"};
  fr.primary_key = {"k"};
  auto real = test::read_rows_with_tokens(**fp, fr);
  REQUIRE(real.ok());
  REQUIRE(real->rows.size() == 1);
  CHECK_FALSE(real->tokens[0].has_value());
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
