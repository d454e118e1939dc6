#include "hub/store/sqlite/database.h"

#include <thread>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::store::sqlite {
namespace {

TEST_CASE("migrations apply in order, once, and survive reopening") {
  test::TempDir dir;
  const Migrations v1 = {"CREATE TABLE a (x INTEGER);"};
  const Migrations v2 = {"CREATE TABLE a (x INTEGER);", "ALTER TABLE a ADD COLUMN y TEXT;"};
  {
    auto db = Database::open(dir.file("t.db"), v1);
    REQUIRE(db.ok());
    CHECK((*db)->schema_version() == 1);
  }
  auto db = Database::open(dir.file("t.db"), v2);
  REQUIRE(db.ok());
  CHECK((*db)->schema_version() == 2);
  auto st = (*db)->with_writer([](Connection& w) { return w.exec("INSERT INTO a (x, y) VALUES (1, 'z')"); });
  CHECK(st.ok());
  // Reopen with the same list: nothing re-applied (re-running CREATE TABLE would fail).
  db->reset();
  auto again = Database::open(dir.file("t.db"), v2);
  REQUIRE(again.ok());
  CHECK((*again)->schema_version() == 2);
}

TEST_CASE("a database newer than the binary is refused with a clear message") {
  test::TempDir dir;
  const Migrations v2 = {"CREATE TABLE a (x INTEGER);", "CREATE TABLE b (x INTEGER);"};
  REQUIRE(Database::open(dir.file("t.db"), v2).ok());
  auto old = Database::open(dir.file("t.db"), Migrations{"CREATE TABLE a (x INTEGER);"});
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().message.find("newer than this build knows") != std::string::npos);
}

TEST_CASE("a failing migration rolls back and reports its number") {
  test::TempDir dir;
  const Migrations bad = {"CREATE TABLE a (x INTEGER);", "CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;"};
  auto db = Database::open(dir.file("t.db"), bad);
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().message.find("migration 2") != std::string::npos);
  auto good =
      Database::open(dir.file("t.db"), Migrations{"CREATE TABLE a (x INTEGER);", "CREATE TABLE b (x INTEGER);"});
  REQUIRE(good.ok());  // migration 1 stayed, the half of 2 did not (b did not exist yet)
  CHECK((*good)->schema_version() == 2);
}

TEST_CASE("a file that is not a database is an error, not a crash") {
  test::TempDir dir;
  dir.write("junk.db", std::string(8192, 'x'));
  auto db = Database::open(dir.file("junk.db"), Migrations{"CREATE TABLE a (x INTEGER);"});
  CHECK_FALSE(db.ok());
}

TEST_CASE("each thread gets its own read connection, the same thread reuses it") {
  test::TempDir dir;
  auto db = Database::open(dir.file("t.db"), Migrations{"CREATE TABLE a (x INTEGER);"});
  REQUIRE(db.ok());
  Connection* mine = (*db)->reader().value();
  CHECK((*db)->reader().value() == mine);
  Connection* other = nullptr;
  std::thread([&] { other = (*db)->reader().value(); }).join();
  CHECK(other != mine);
  // Readers are read-only.
  CHECK_FALSE(mine->exec("INSERT INTO a VALUES (1)").ok());
}

}  // namespace
}  // namespace yici::store::sqlite
