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

namespace yici::ingest {
namespace {

TEST_CASE("check_cursor: integers and timestamps up to the limit are usable, later ones and text are not") {
  using std::chrono::sys_days;
  // The hub's clock plus the skew allowed: 12:00 UTC, 20:00 in China.
  const auto latest = sys_days{std::chrono::year{2026} / 11 / 24} + std::chrono::hours(12);
  CHECK(check_cursor("42", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("99999999999", latest) == CursorCheck::kUsable);  // a sequence number, not a time
  // No zone in the value: China Standard Time unless the source says otherwise.
  CHECK(check_cursor("2026-11-24 20:00:00", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24 20:00:01", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24 12:00:00", latest, std::chrono::minutes(0)) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24 12:00:01", latest, std::chrono::minutes(0)) == CursorCheck::kFuture);
  CHECK(check_cursor("20261124200000", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("20261124200001", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-25", latest) == CursorCheck::kFuture);  // midnight in China is 16:00 UTC
  // A zone in the value wins, after a fraction too.
  CHECK(check_cursor("2026-11-24T12:00:00Z", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24T12:00:01Z", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24T12:00:00.999999Z", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24T12:00:01.5Z", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24T19:59:59.5+08:00", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24T21:00:00+0800", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24T07:00:00-05:00", latest) == CursorCheck::kUsable);
  CHECK(check_cursor("2026-11-24T07:00:01-05:00", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-24 20:30:00 CST", latest) == CursorCheck::kFuture);  // not a zone: the source's
  // Far ahead, however read; unreadable.
  CHECK(check_cursor("20991231000000", latest) == CursorCheck::kFuture);
  CHECK(check_cursor("2026-11-25 10:00:00", latest) == CursorCheck::kFuture);  // 14 hours ahead
  CHECK(check_cursor("not a date", latest) == CursorCheck::kUnreadable);
  CHECK(check_cursor("2026-13-01 00:00:00", latest) == CursorCheck::kUnreadable);
  CHECK(check_cursor("", latest) == CursorCheck::kUnreadable);
}

TEST_CASE("parse_cursor_zone: offsets and UTC, nothing else") {
  CHECK(parse_cursor_zone("+08:00").value() == std::chrono::minutes(480));
  CHECK(parse_cursor_zone("-05:30").value() == std::chrono::minutes(-330));
  CHECK(parse_cursor_zone("+00:00").value() == std::chrono::minutes(0));
  CHECK(parse_cursor_zone("UTC").value() == std::chrono::minutes(0));
  CHECK(parse_cursor_zone("Z").value() == std::chrono::minutes(0));
  for (const char* bad : {"+8", "08:00", "+08", "+0800", "CST", "Asia/Shanghai", "+15:00", "+08:60", ""}) {
    INFO(bad);
    const auto zone = parse_cursor_zone(bad);
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.error().message.find("+08:00") != std::string::npos);
  }
}

}  // namespace
}  // namespace yici::ingest
