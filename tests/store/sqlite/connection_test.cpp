#include "hub/store/sqlite/connection.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::store::sqlite {
namespace {

std::unique_ptr<Connection> numbers(const test::TempDir& dir) {
  auto conn = Connection::open(dir.file("t.db"), Connection::Mode::kReadWrite);
  REQUIRE(conn.ok());
  REQUIRE((*conn)->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3), (4);").ok());
  return std::move(*conn);
}

std::vector<std::int64_t> xs(Statement& st, Status* status = nullptr) {
  std::vector<std::int64_t> seen;
  Status s = st.each_row([&] { seen.push_back(st.column_int(0)); });
  if (status != nullptr) *status = std::move(s);
  return seen;
}

TEST_CASE("each_row visits every row in order, then resets the statement and clears its parameters") {
  test::TempDir dir;
  auto conn = numbers(dir);
  auto st = conn->cached("SELECT x FROM t WHERE x >= ?1 OR ?1 IS NULL ORDER BY x");
  REQUIRE(st.ok());
  (*st)->bind(1, std::int64_t{3});
  CHECK(xs(**st) == std::vector<std::int64_t>{3, 4});
  // Not bound again: the parameter is NULL, not the 3 from before (which, for text, would point at
  // the caller's memory by now).
  CHECK(xs(**st) == std::vector<std::int64_t>{1, 2, 3, 4});
  (*st)->bind(1, std::int64_t{5});
  CHECK(xs(**st).empty());
}

TEST_CASE("each_row stops at an error and returns it, and the statement is reset all the same") {
  test::TempDir dir;
  auto conn = numbers(dir);
  // The row equal to ?1 overflows: abs() of the smallest 64-bit integer, computed from the row so
  // that it fails when that row is reached (no ORDER BY: a sort would compute every row first).
  auto st = conn->cached("SELECT CASE WHEN x = ?1 THEN abs(x - 9223372036854775807 - 4) ELSE x END FROM t");
  REQUIRE(st.ok());
  (*st)->bind(1, std::int64_t{3});
  Status status;
  CHECK(xs(**st, &status) == std::vector<std::int64_t>{1, 2});
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("integer overflow") != std::string::npos);
  // Reset after the error: the parameter is cleared, so this run has no failing row.
  CHECK(xs(**st, &status) == std::vector<std::int64_t>{1, 2, 3, 4});
  CHECK(status.ok());
}

}  // namespace
}  // namespace yici::store::sqlite
