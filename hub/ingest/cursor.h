// Cursor values and the overlap window. A saved cursor is the source's own text for the last row
// committed (e.g. "2026-01-02 10:00:00"); the next pull reads rows whose cursor is >= that value
// minus the overlap, so rows committed late with an older timestamp are not lost.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::ingest {

// Subtracts `overlap` from a timestamp cursor, keeping its layout: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS",
// "YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]", "YYYYMMDDHHMMSS". An integer cursor (a version or
// sequence number) is returned unchanged: overlap is a time. Anything else is an error.
Result<std::string> rewind_cursor(std::string_view value, std::chrono::milliseconds overlap);

// The zone a source writes its cursor timestamps in when they carry none: China Standard Time.
inline constexpr std::chrono::minutes kDefaultCursorZone{8 * 60};
// How far a cursor timestamp may be ahead of the hub's clock: department servers' clocks drift.
inline constexpr std::chrono::minutes kCursorClockSkew{15};

// Whether a value read from the cursor column may become the saved cursor. An unreadable one
// (neither an integer nor a timestamp in a layout above) would fail every later pull; a timestamp
// after `latest` (the hub's clock plus kCursorClockSkew) would skip every row changed before that
// time. A timestamp is read in its own zone (Z or ±HH:MM after the seconds and any fraction), else
// in `zone` (minutes east of UTC). Rows with such values are still pulled; they only do not move
// the cursor.
enum class CursorCheck { kUsable, kUnreadable, kFuture };
CursorCheck check_cursor(std::string_view value, std::chrono::system_clock::time_point latest,
                         std::chrono::minutes zone = kDefaultCursorZone);

// A source's cursor zone as written in its definition: "+08:00", "-05:30", "UTC" or "Z".
Result<std::chrono::minutes> parse_cursor_zone(std::string_view text);

// Orders cursor values: numerically when both are integers, else as text (timestamps in one layout
// sort correctly as text).
bool cursor_less(std::string_view a, std::string_view b);

}  // namespace yici::ingest
