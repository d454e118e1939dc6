#include "hub/audit/subject_retention.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "hub/store/sqlite/connection.h"

namespace yici::audit {
namespace {

constexpr const char* kWatermarkKey = "subjects_purged_below";

Result<std::int64_t> read_watermark(store::sqlite::Connection& w) {
  YICI_TRY(auto st, w.prepare("SELECT value FROM log_info WHERE key = ?1"));
  st.bind(1, kWatermarkKey);
  YICI_TRY(const bool found, st.step());
  if (!found) return std::int64_t{0};
  const std::string text(st.column_text(0));
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return static_cast<std::int64_t>(v);
  } catch (const std::exception&) {
  }
  return Error::corruption("audit.db log_info " + std::string(kWatermarkKey) + " is not a number: " + text);
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
               YICI_TRY(auto newer, w.prepare("SELECT seq FROM audit_entries WHERE seq >= ?1 AND seq < ?2 AND "
                                              "time >= ?3 ORDER BY seq LIMIT 1"));
               newer.bind(1, from).bind(2, limit).bind(3, cutoff);
               YICI_TRY(const bool has_newer, newer.step());
               std::int64_t to = has_newer ? newer.column_int(0) : limit;
               if (!has_newer) {
                 YICI_TRY(auto end, w.prepare("SELECT coalesce(max(seq) + 1, 0) FROM audit_entries"));
                 YICI_TRY(const bool got, end.step());
                 if (got) to = std::min(to, end.column_int(0));
               }
               SubjectPurge part;
               part.from = from;
               part.to = std::max(from, to);
               if (part.to > from) {
                 YICI_TRY(auto upd, w.prepare("UPDATE audit_entries SET subject = NULL WHERE seq >= ?1 AND seq < ?2 "
                                              "AND subject IS NOT NULL AND subject <> ''"));
                 upd.bind(1, from).bind(2, part.to);
                 YICI_TRY_STATUS(upd.run());
                 part.subjects = static_cast<std::uint64_t>(w.changes());
                 YICI_TRY(auto mark, w.prepare("INSERT INTO log_info (key, value) VALUES (?1, ?2) "
                                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
                 const std::string value = std::to_string(part.to);
                 mark.bind(1, kWatermarkKey).bind(2, value);
                 YICI_TRY_STATUS(mark.run());
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

}  // namespace yici::audit
