// Retention of readable subjects in the audit log. Each entry keeps the subject twice: inside the
// leaf only as an HMAC, and as a readable copy for auditors (audit_entry.h). After the retention
// period the readable copy is set to NULL: the tree still verifies, and whoever holds the HMAC key
// can still find every access to a person by searching for that person.
//
// Entries are purged as a prefix of the log: from the first not yet purged, in seq order, up to the
// first entry at or after the cutoff. An entry written while the clock was set back (older than an
// entry before it) therefore waits until the entries before it are old enough too; nothing newer
// than the cutoff is ever purged. How far the prefix goes is kept in log_info, so each run starts
// where the last stopped instead of re-reading the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hub/core/result.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

struct SubjectPurge {
  std::uint64_t subjects = 0;  // readable subjects set to NULL
  std::int64_t from = 0;       // entries [from, to) were examined (and all of them are now purged)
  std::int64_t to = 0;
};

// Purges readable subjects of entries whose time is before `cutoff` (RFC 3339 in the audit log's
// own format, see format_rfc3339_micros). Works in transactions of `batch` entries on the writer,
// so audit commits wait for one batch at most.
Result<SubjectPurge> purge_subjects_before(store::sqlite::Database& audit_db, const std::string& cutoff,
                                           std::size_t batch = 2000);

// Each purge is an audit entry, written after its transactions (it names what they purged). A
// crash between them left a range purged and named nowhere: how far purges are recorded is kept
// beside how far they went (log_info subjects_purge_recorded_below), and the next run records the
// difference first.
struct PurgeRecord {
  std::int64_t from = 0;  // entries [from, to) are purged but no audit entry names them yet
  std::int64_t to = 0;
};
Result<PurgeRecord> unrecorded_purge(store::sqlite::Database& audit_db);

// How a subject_purge entry names the entries [from, to) it purged ("entries 0-67", in its dataset
// column, followed by " before <cutoff>" or why it is late), and the reverse: one past the last
// entry such a text names, nullopt when the text is not of that form. The offline verifier reads
// it back (leaf_scan.h): a readable subject gone beyond every recorded purge was removed otherwise.
std::string purge_range_text(std::int64_t from, std::int64_t to);
std::optional<std::uint64_t> purge_range_end(std::string_view text);
// After the audit entry naming the purge of entries below `below` is written.
Status mark_purge_recorded(store::sqlite::Database& audit_db, std::int64_t below);

}  // namespace yici::audit
