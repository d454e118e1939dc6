#include "adapters/postgres/postgres_adapter.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <doctest/doctest.h>

#include "adapters/postgres/pg_exec.h"
#include "tests/support/postgres_server.h"
#include "tests/support/read_rows.h"
#include "tests/support/temp_dir.h"

namespace yici::adapters::postgres {
namespace {

using test::PostgresServer;

// One server for this file's tests: starting PostgreSQL costs about a second.
PostgresServer& server() {
  static PostgresServer instance;
  static bool seeded = [] {
    instance.exec("CREATE DATABASE psb");
    instance.exec(R"sql(
      CREATE TABLE rk_jbxx (sfzh text PRIMARY KEY, xm text, csrq date, gxsj timestamp NOT NULL);
      INSERT INTO rk_jbxx
        SELECT '3301021990' || lpad(g::text, 8, '0'), '居民' || g, DATE '1990-01-01' + g,
               TIMESTAMP '2026-01-01 00:00:00' + (g / 100) * INTERVAL '1 minute'
        FROM generate_series(1, 5000) AS g;
      INSERT INTO rk_jbxx VALUES ('330102199009090000', NULL, NULL, TIMESTAMP '2026-02-01 00:00:00');
    )sql",
                  "psb");
    return true;
  }();
  (void)seeded;
  return instance;
}

Result<std::unique_ptr<Adapter>> adapter_from(const std::string& extra) {
  const std::string yaml = "type: postgres\ndsn: \"" + server().dsn("psb") + "\"\n" + extra;
  auto doc = YamlDoc::parse(yaml, "source.yaml");
  if (!doc) return doc.take_error();
  PostgresAdapterFactory factory;
  return factory.create(*doc, doc->root());
}

Result<std::vector<Row>> read_all(Adapter& a, const ReadRequest& req) { return test::read_rows(a, req); }

ReadRequest person_request() {
  ReadRequest req;
  req.columns = {"sfzh", "xm", "csrq", "gxsj"};
  req.primary_key = {"sfzh"};
  return req;
}

TEST_CASE("postgres adapter: streams a full table across many FETCH batches in key order") {
  test::TempDir dir;
  dir.write("pw", std::string(PostgresServer::kPassword) + "\n");
  auto a = adapter_from("password_file: " + dir.file("pw") + "\ntable: rk_jbxx\nfetch_size: 333\n");
  REQUIRE(a.ok());
  auto rows = read_all(**a, person_request());
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 5001);
  for (std::size_t i = 1; i < rows->size(); ++i) REQUIRE((*rows)[i - 1].key < (*rows)[i].key);
  const auto& last = rows->back();
  CHECK(last.key == "330102199009090000");
  CHECK_FALSE(last.values[1].has_value());  // NULL stays NULL
  CHECK((*rows)[0].values[1] == "居民1");
  CHECK((*rows)[0].values[2] == "1990-01-02");
}

TEST_CASE("postgres adapter: incremental read binds the cursor value as a parameter") {
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  auto a = adapter_from("password_env: YICI_TEST_PG_PASSWORD\ntable: rk_jbxx\n");
  REQUIRE(a.ok());
  auto req = person_request();
  req.cursor_column = "gxsj";
  req.cursor_from = "2026-01-01 00:50:00";
  auto rows = read_all(**a, req);
  REQUIRE(rows.ok());
  // g / 100 >= 50 → g in 5000..5000 (one row) plus g = 5000? g/100 = 50 only for g = 5000; plus the February row.
  std::size_t expected = 0;
  for (int g = 1; g <= 5000; ++g) expected += (g / 100) >= 50 ? 1 : 0;
  CHECK(rows->size() == expected + 1);
  CHECK(rows->back().key == "330102199009090000");  // ordered by cursor: the newest last

  // A hostile cursor value is data, not SQL.
  req.cursor_from = "2026-01-01'; DROP TABLE rk_jbxx; --";
  auto hostile = read_all(**a, req);
  CHECK_FALSE(hostile.ok());
  server().exec("SELECT count(*) FROM rk_jbxx", "psb");  // the table is still there
}

TEST_CASE("postgres adapter: version numbers kept as text are compared and ordered as numbers") {
  server().exec(R"sql(
    CREATE TABLE IF NOT EXISTS versions (k text PRIMARY KEY, ver varchar(20), num bigint, at text);
    INSERT INTO versions VALUES ('a', '9', 9, '2026-01-01'), ('b', '10', 10, '2026-01-02'), ('c', '99', 99, '2026-01-03'),
                                ('d', '100', 100, '2026-01-04'), ('e', '1000', 1000, NULL)
    ON CONFLICT DO NOTHING;
  )sql",
                "psb");
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  for (const std::string source : {"table: versions\n", "query: SELECT k, ver, num, at FROM versions\n"}) {
    INFO(source);
    auto a = adapter_from("password_env: YICI_TEST_PG_PASSWORD\n" + source);
    REQUIRE(a.ok());
    // The keys read, in the order read (the pull job commits the cursor with each batch).
    const auto read_from = [&](const std::string& column, const std::string& from) {
      ReadRequest req;
      req.columns = {"k", column};
      req.primary_key = {"k"};
      req.cursor_column = column;
      req.cursor_from = from;
      auto rows = read_all(**a, req);
      REQUIRE(rows.ok());
      std::string keys;
      for (const auto& row : *rows) keys += row.key;
      return keys;
    };
    CHECK(read_from("ver", "99") == "cde");  // as text, "100" < "99": lost
    CHECK(read_from("ver", "0") == "abcde");
    CHECK(read_from("num", "99") == "cde");
    CHECK(read_from("at", "2026-01-03") == "cde");  // PostgreSQL sorts NULL last
  }
}

TEST_CASE("postgres adapter: a full read resumes after a row's key, across FETCH batches and in the key's own order") {
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  auto a = adapter_from("password_env: YICI_TEST_PG_PASSWORD\ntable: rk_jbxx\nfetch_size: 333\n");
  REQUIRE(a.ok());
  REQUIRE((*a)->resumes_by_key());
  auto all = test::read_rows_with_tokens(**a, person_request());
  REQUIRE(all.ok());
  REQUIRE(all->rows.size() == 5001);
  CHECK_FALSE(all->token_at_end.has_value());
  auto req = person_request();
  for (std::size_t at : {std::size_t{0}, std::size_t{332}, std::size_t{333}, std::size_t{4999}}) {
    CAPTURE(at);
    REQUIRE(all->tokens[at].has_value());
    CHECK(*all->tokens[at] == "[\"" + all->rows[at].key + "\"]");
    req.resume_after = all->tokens[at];
    auto rest = read_all(**a, req);
    REQUIRE(rest.ok());
    REQUIRE(rest->size() == 5001 - at - 1);
    CHECK(rest->front().key == all->rows[at + 1].key);
  }

  // An integer and a text key part: PostgreSQL reads the untyped parameters as the columns'
  // types, so 2 sorts before 10 (as text, "10" would come first).
  server().exec(R"sql(
    CREATE TABLE IF NOT EXISTS zz (a integer, b text, PRIMARY KEY (a, b));
    INSERT INTO zz VALUES (10, 'a'), (2, 'a'), (1, 'c'), (1, 'b') ON CONFLICT DO NOTHING;
  )sql",
                "psb");
  auto z = adapter_from("password_env: YICI_TEST_PG_PASSWORD\nquery: \"SELECT a, b FROM zz\"\n");
  REQUIRE(z.ok());
  ReadRequest zr;
  zr.columns = {"a", "b"};
  zr.primary_key = {"a", "b"};
  auto keyed = test::read_rows_with_tokens(**z, zr);
  REQUIRE(keyed.ok());
  REQUIRE(keyed->rows.size() == 4);
  CHECK(keyed->tokens[2] == R"(["2","a"])");
  zr.resume_after = keyed->tokens[0];
  auto rest = read_all(**z, zr);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 3);
  CHECK(rest->front().key == std::string("1") + '\x1f' + "c");
  zr.resume_after = keyed->tokens[2];
  rest = read_all(**z, zr);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 1);
  CHECK(rest->front().key == std::string("10") + '\x1f' + "a");

  zr.resume_after = R"(["x'; DROP TABLE zz; --","a"])";  // data, not SQL: no integer
  auto hostile = read_all(**z, zr);
  CHECK_FALSE(hostile.ok());
  server().exec("SELECT count(*) FROM zz", "psb");  // the table is still there
  zr.resume_after = "[1]";
  CHECK_FALSE((*z)->read(zr).ok());
}

// An adapter over a query (password from the environment), and a request for its id and name.
Result<std::unique_ptr<Adapter>> query_adapter(const std::string& sql) {
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  return adapter_from("password_env: YICI_TEST_PG_PASSWORD\nquery: \"" + sql + "\"\n");
}

ReadRequest id_name_request() {
  ReadRequest req;
  req.columns = {"id", "name"};
  req.primary_key = {"id"};
  return req;
}

TEST_CASE("postgres adapter: a query source and describe") {
  auto a = query_adapter("SELECT sfzh AS id, xm AS name, gxsj FROM rk_jbxx WHERE xm IS NOT NULL");
  REQUIRE(a.ok());
  auto cols = (*a)->describe();
  REQUIRE(cols.ok());
  REQUIRE(cols->size() == 3);
  CHECK((*cols)[0].name == "id");
  CHECK((*cols)[0].type == "text");
  CHECK((*cols)[2].type == "timestamp without time zone");
  auto rows = read_all(**a, id_name_request());
  REQUIRE(rows.ok());
  CHECK(rows->size() == 5000);
}

TEST_CASE("postgres adapter: a read with a statement timeout is stopped by the server, not left running") {
  auto a = query_adapter(
      "SELECT sfzh AS id, xm AS name FROM rk_jbxx WHERE sfzh = '330102199009090000' AND pg_sleep(30) IS NOT NULL");
  REQUIRE(a.ok());
  ReadRequest req = id_name_request();
  req.statement_timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto rows = read_all(**a, req);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("statement timeout") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  // Nothing of it runs on at the server.
  const std::string active = server().query(
      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' "
      "AND pid <> pg_backend_pid()",
      "psb");
  CHECK(active == "0");
}

TEST_CASE(
    "postgres adapter: a server that stops answering fails the read at read_timeout and the statement is cancelled") {
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  // Another session holds the table locked: the server answers nothing until it lets go.
  const std::string holder_dsn = server().dsn("psb") + " password=" + PostgresServer::kPassword;
  ConnPtr holder(PQconnectdb(holder_dsn.c_str()));
  REQUIRE(PQstatus(holder.get()) == CONNECTION_OK);
  ResultPtr locked(PQexec(holder.get(), "BEGIN; LOCK TABLE rk_jbxx IN ACCESS EXCLUSIVE MODE"));
  REQUIRE(PQresultStatus(locked.get()) == PGRES_COMMAND_OK);
  const auto waiting = [] {
    return server().query(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'yici-hub'",
        "psb");
  };

  auto a = adapter_from("password_env: YICI_TEST_PG_PASSWORD\ntable: rk_jbxx\nread_timeout: 700ms\n");
  REQUIRE(a.ok());
  const auto started = std::chrono::steady_clock::now();
  auto rows = read_all(**a, person_request());
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().code == ErrorCode::kUnavailable);
  CHECK(rows.error().message ==
        "postgres: no answer from the server within 700 ms (read_timeout); the statement was cancelled and the "
        "connection closed");
  CHECK(took >= std::chrono::milliseconds(700));
  CHECK(took < std::chrono::seconds(10));
  // The cancel reached the server: nothing of the pull is left waiting on the lock.
  std::string left = waiting();
  for (int i = 0; i < 50 && left != "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = waiting();
  }
  CHECK(left == "0");
  // Once the lock goes, the same adapter reads again.
  ResultPtr released(PQexec(holder.get(), "ROLLBACK"));
  auto again = read_all(**a, person_request());
  REQUIRE(again.ok());
  CHECK(again->size() == 5001);
}

TEST_CASE("postgres adapter: a wrong password fails clearly and never shows the password") {
  test::TempDir dir;
  dir.write("pw", "not-the-password-XYZ\n");
  auto a = adapter_from("password_file: " + dir.file("pw") + "\ntable: rk_jbxx\n");
  REQUIRE(a.ok());
  auto r = (*a)->read(person_request());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.find("password authentication failed") != std::string::npos);
  CHECK(r.error().message.find("not-the-password-XYZ") == std::string::npos);

  auto unset = adapter_from("password_env: YICI_TEST_PG_UNSET_VARIABLE\ntable: rk_jbxx\n");
  REQUIRE(unset.ok());
  auto u = (*unset)->read(person_request());
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().message.find("YICI_TEST_PG_UNSET_VARIABLE is not set") != std::string::npos);
}

TEST_CASE("postgres adapter: a stopped server is unavailable, and a restarted one serves again") {
  setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  auto a = adapter_from("password_env: YICI_TEST_PG_PASSWORD\ntable: rk_jbxx\nconnect_timeout: 2s\n");
  REQUIRE(a.ok());
  server().stop();
  auto down = (*a)->read(person_request());
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == ErrorCode::kUnavailable);
  server().start();
  auto up = read_all(**a, person_request());
  REQUIRE(up.ok());
  CHECK(up->size() == 5001);
}

TEST_CASE("postgres adapter config: secrets only by reference, bad values name their line") {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"type: postgres\ndsn: \"host=x password=hunter2\"\ntable: t\n",
       "source.yaml:2: adapter.dsn must not contain a password"},
      {"type: postgres\ndsn: \"host=x sslpassword=hunter2\"\ntable: t\n",
       "source.yaml:2: adapter.dsn must not contain sslpassword"},
      {"type: postgres\ndsn: \"postgresql://u:hunter2@x/db\"\ntable: t\n",
       "source.yaml:2: adapter.dsn must not contain a password"},
      {"type: postgres\ndsn: \"host=x sslkey=/data/audit-hmac.key\"\ntable: t\n",
       "source.yaml:2: adapter.dsn must not name files (sslkey)"},
      {"type: postgres\ndsn: \"host=x passfile=/etc/shadow\"\ntable: t\n", "must not name files (passfile)"},
      // Settings the block gives would silently win over the string's: refused, not downgraded.
      {"type: postgres\ndsn: \"host=x sslmode=verify-full\"\ntable: t\n",
       "source.yaml:2: adapter.dsn must not set sslmode: give tls: {mode: verify-full}"},
      {"type: postgres\ndsn: \"postgresql://x/db?sslmode=require\"\ntable: t\n", "must not set sslmode"},
      {"type: postgres\ndsn: \"host=x requiressl=1\"\ntable: t\n",
       "must not set sslmode"},  // libpq reads it as sslmode
      {"type: postgres\ndsn: \"host=x connect_timeout=60\"\ntable: t\n",
       "must not set connect_timeout: give connect_timeout in the adapter block"},
      {"type: postgres\ndsn: \"host=x\"\ntable: t\npassword_file: a\npassword_env: B\n", "not both"},
      {"type: postgres\ndsn: \"host=x nonsense\"\ntable: t\n", "not a valid libpq connection string"},
      {"type: postgres\ndsn: \"host=x\"\ntable: t\ntls: {mode: sometimes}\n", "adapter.tls.mode must be"},
      {"type: postgres\ndsn: \"host=x\"\ntable: \"a.b.c\"\n", "adapter.table"},
      {"type: postgres\ndsn: \"host=x\"\ntable: t\nfetch_size: 0\n", "fetch_size"},
      {"type: postgres\ndsn: \"host=x\"\ntable: t\nread_timeout: 0s\n", "adapter.read_timeout must be positive"},
      {"type: postgres\ndsn: \"host=x\"\ntable: t\nread_timeout: soon\n", "read_timeout"},
      {"type: postgres\ntable: t\n", "missing required key \"dsn\""},
  };
  PostgresAdapterFactory factory;
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto doc = YamlDoc::parse(c.yaml, "source.yaml");
    REQUIRE(doc.ok());
    auto r = factory.create(*doc, doc->root());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
    CHECK(r.error().message.find("hunter2") == std::string::npos);
  }
}

}  // namespace
}  // namespace yici::adapters::postgres
