#include "hub/ingest/cursor.h"

#include <doctest/doctest.h>

namespace yici::ingest {
namespace {

using namespace std::chrono_literals;

TEST_CASE("rewind_cursor: timestamps move back by the overlap in their own layout") {
  CHECK(rewind_cursor("2026-01-02 10:00:00", 10min).value() == "2026-01-02 09:50:00");
  CHECK(rewind_cursor("2026-01-02T00:05:00+08:00", 10min).value() == "2026-01-01T23:55:00+08:00");
  CHECK(rewind_cursor("2026-03-01 00:00:00.123", 1s).value() == "2026-02-28 23:59:59.123");
  CHECK(rewind_cursor("2024-03-01", 24h).value() == "2024-02-29");  // leap day
  CHECK(rewind_cursor("20260101000000", 1s).value() == "20251231235959");
  CHECK(rewind_cursor("2026-01-02 10:00:00", 0ms).value() == "2026-01-02 10:00:00");
  CHECK(rewind_cursor("2026-01-02 10:00:00", 1500ms).value() == "2026-01-02 09:59:58");  // rounds the overlap up
}

TEST_CASE("rewind_cursor: integer cursors are unchanged, anything else is an error") {
  CHECK(rewind_cursor("123456", 10min).value() == "123456");
  CHECK_FALSE(rewind_cursor("yesterday", 10min).ok());
  CHECK_FALSE(rewind_cursor("2026-13-01", 10min).ok());
  CHECK_FALSE(rewind_cursor("", 10min).ok());
}

TEST_CASE("cursor_less: integers numerically, everything else as text") {
  CHECK(cursor_less("9", "10"));
  CHECK_FALSE(cursor_less("10", "9"));
  CHECK(cursor_less("-5", "3"));
  CHECK(cursor_less("2026-01-01 09:00:00", "2026-01-01 10:00:00"));
  CHECK_FALSE(cursor_less("2026-01-01", "2026-01-01"));
}

}  // namespace
}  // namespace yici::ingest
