// Finding a subject's entries in the audit log: a derived index kept off the commit path.
//
// An index on audit_entries (subject_hmac, seq) puts every commit's entries at random places in a
// B-tree: each group commit dirties scattered leaf pages, and the WAL checkpointer writes them back
// and syncs them beside the commits that lookups wait for (bench, 200k records: p99 at 2,000
// lookups/s 2.6 ms with that index, 0.98 ms without). So the log keeps no subject index in the
// commit's transaction. Instead:
//
//  - audit_subject_index holds (seq >> kSubjectBucketShift, subject_hmac, seq) for every entry with
//    a subject. Keyed by bucket first, a batch of new entries lands in the few pages of the newest
//    bucket, which stay in cache: the index grows at its end, as the log does.
//  - The committer adds entries in batches (every 200 ms or kSubjectIndexLag entries), each batch
//    with log_info.subject_index_upto in one transaction: entries [0, upto) are in the index.
//    The batch is derived data, so it is committed without its own fsync (synchronous=NORMAL):
//    lost in a crash, it is lost together with its upto, and the batch is simply made again.
//  - A search reads entries below upto through the index, bucket by bucket (one seek per bucket
//    and subject form), and scans the few entries at or above upto by seq.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hub/core/result.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {

inline constexpr int kSubjectBucketShift = 12;                       // 4,096 entries per bucket
inline constexpr std::uint64_t kSubjectIndexLag = 4096;              // index once this many entries wait
inline constexpr std::chrono::milliseconds kSubjectIndexEvery{200};  // or once this long has passed
inline constexpr std::uint64_t kSubjectIndexBatch = 16384;           // at most this many entries per transaction

// Builds the index from the entries already written and drops audit_entries' audit_by_subject.
inline constexpr const char* kSubjectIndexMigration = R"sql(
CREATE TABLE audit_subject_index (
  bucket       INTEGER NOT NULL,           -- seq >> 12
  subject_hmac TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  PRIMARY KEY (bucket, subject_hmac, seq)
) WITHOUT ROWID;
INSERT INTO audit_subject_index (bucket, subject_hmac, seq)
  SELECT seq >> 12, subject_hmac, seq FROM audit_entries WHERE subject_hmac <> '' ORDER BY 1, 2, 3;
INSERT INTO log_info (key, value)
  SELECT 'subject_index_upto', coalesce(max(seq) + 1, 0) FROM audit_entries;
DROP INDEX audit_by_subject;
)sql";

// Entries [0, upto) are in the index. A missing or unreadable value is 0: everything is scanned
// and indexed again (re-adding an entry is harmless).
Result<std::int64_t> subject_index_upto(store::sqlite::Connection& conn);

// Adds entries [upto, min(end, upto + kSubjectIndexBatch)) to the index and moves upto, in one
// transaction committed without fsync. Returns the new upto. REQUIRES: the writer connection,
// outside a transaction; `end` is at most the committed log size.
Result<std::int64_t> index_subjects(store::sqlite::Connection& writer, std::int64_t end);

// The seq of every entry after `after_seq` whose subject_hmac is one of `hmacs`, in seq order,
// each passed to `visit` until it returns false. `visit` reads the entry itself; it may apply
// further filters (it is called with the seq only).
Status for_each_subject_seq(store::sqlite::Connection& reader, const std::vector<std::string>& hmacs,
                            std::int64_t after_seq, const std::function<Result<bool>(std::int64_t seq)>& visit);

}  // namespace yici::audit
