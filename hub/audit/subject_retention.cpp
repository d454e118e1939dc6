#include "hub/audit/subject_retention.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "hub/audit/subject_index.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {
namespace {

constexpr const char* kWatermarkKey = "subjects_purged_below";
constexpr const char* kRecordedKey = "subjects_purge_recorded_below";
// Statements run once per batch, so kept prepared on the writer (Connection::cached).
constexpr const char* kReadWatermark = "SELECT value FROM log_info WHERE key = ?1";
constexpr const char* kFirstTooNew =
    "SELECT seq FROM audit_entries WHERE seq >= ?1 AND seq < ?2 AND time >= ?3 ORDER BY seq LIMIT 1";
constexpr const char* kLogEnd = "SELECT coalesce(max(seq) + 1, 0) FROM audit_entries";
constexpr const char* kPurge =
    "UPDATE audit_entries SET subject = NULL WHERE seq >= ?1 AND seq < ?2 AND subject IS NOT NULL AND subject <> ''";

// The number under `key` in log_info; nullopt when there is none.
Result<std::optional<std::int64_t>> read_number(store::sqlite::Connection& w, const char* key) {
  YICI_TRY(store::sqlite::Statement * st, w.cached(kReadWatermark));
  st->bind(1, key);
  YICI_TRY(const bool found, st->step());
  if (!found) return std::optional<std::int64_t>();
  const std::string text(st->column_text(0));
  st->reset();
  std::int64_t v = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return Error::corruption("audit.db log_info " + std::string(key) + " is not a number: " + text);
  }
  return std::optional<std::int64_t>(v);
}

Result<std::int64_t> read_watermark(store::sqlite::Connection& w) {
  YICI_TRY(const auto v, read_number(w, kWatermarkKey));
  return v.value_or(0);
}

}  // namespace

Result<SubjectPurge> purge_subjects_before(store::sqlite::Database& audit_db, const std::string& cutoff,
                                           std::size_t batch) {
  SubjectPurge total;
  bool first = true;
  while (true) {
    // One batch per writer transaction: the committer's group commits interleave with them.
    YICI_TRY(const auto step,
             audit_db.with_writer([&](store::sqlite::Connection& w) -> Result<std::pair<SubjectPurge, bool>> {
               YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
               YICI_TRY(const std::int64_t from, read_watermark(w));
               const std::int64_t limit = from + static_cast<std::int64_t>(batch);
               // The batch ends at the first entry not old enough, or after `batch` entries, or at
               // the end of the log.
               YICI_TRY(store::sqlite::Statement * newer, w.cached(kFirstTooNew));
               newer->bind(1, from).bind(2, limit).bind(3, cutoff);
               YICI_TRY(const bool has_newer, newer->step());
               std::int64_t to = has_newer ? newer->column_int(0) : limit;
               newer->reset();
               if (!has_newer) {
                 YICI_TRY(store::sqlite::Statement * end, w.cached(kLogEnd));
                 YICI_TRY(const bool got, end->step());
                 if (got) to = std::min(to, end->column_int(0));
                 end->reset();
               }
               SubjectPurge part;
               part.from = from;
               part.to = std::max(from, to);
               if (part.to > from) {
                 YICI_TRY(store::sqlite::Statement * purge, w.cached(kPurge));
                 purge->bind(1, from).bind(2, part.to);
                 YICI_TRY_STATUS(purge->run());
                 part.subjects = static_cast<std::uint64_t>(w.changes());
                 YICI_TRY_STATUS(save_log_info(w, kWatermarkKey, part.to));
                 YICI_TRY_STATUS(tx.commit());
               }
               // More to do only if this batch went all the way to its limit.
               return std::make_pair(part, !has_newer && part.to == limit);
             }));
    const auto& [part, more] = step;
    if (first) total.from = part.from;
    first = false;
    total.to = part.to;
    total.subjects += part.subjects;
    if (!more) return total;
  }
}

Result<PurgeRecord> unrecorded_purge(store::sqlite::Database& audit_db) {
  return audit_db.with_writer([](store::sqlite::Connection& w) -> Result<PurgeRecord> {
    YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
    YICI_TRY(const std::int64_t purged, read_watermark(w));
    YICI_TRY(const auto recorded, read_number(w, kRecordedKey));
    PurgeRecord out;
    out.to = purged;
    if (recorded) {
      out.from = std::min(*recorded, purged);
    } else {
      // A log from before the record was kept: what was purged then was recorded then.
      out.from = purged;
      YICI_TRY_STATUS(save_log_info(w, kRecordedKey, purged));
      YICI_TRY_STATUS(tx.commit());
    }
    return out;
  });
}

Status mark_purge_recorded(store::sqlite::Database& audit_db, std::int64_t below) {
  return audit_db.with_writer([below](store::sqlite::Connection& w) -> Status {
    YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
    YICI_TRY(const auto recorded, read_number(w, kRecordedKey));
    if (!recorded || *recorded < below) YICI_TRY_STATUS(save_log_info(w, kRecordedKey, below));
    return tx.commit();
  });
}

std::string purge_range_text(std::int64_t from, std::int64_t to) {
  return "entries " + std::to_string(from) + "-" + std::to_string(to - 1);
}

std::optional<std::uint64_t> purge_range_end(std::string_view text) {
  constexpr std::string_view kPrefix = "entries ";
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  const char* const end = text.data() + text.size();
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  const auto a = std::from_chars(text.data(), end, first);
  if (a.ec != std::errc() || a.ptr == end || *a.ptr != '-') return std::nullopt;
  const auto b = std::from_chars(a.ptr + 1, end, last);
  if (b.ec != std::errc() || (b.ptr != end && *b.ptr != ' ') || last < first || last == UINT64_MAX) {
    return std::nullopt;
  }
  return last + 1;
}

}  // namespace yici::audit
