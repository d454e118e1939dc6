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
//    It never waits for another process's lock on audit.db (DerivedWrites).
//  - Full buckets are merged, 256 at a time, into one span of 1,048,576 entries in
//    audit_subject_spans (subject_index_merge.h), so that a search seeks once per span instead of
//    once per bucket in all but the newest million entries.
//  - A search reads entries below spans_upto through the spans, those in [spans_upto, upto)
//    bucket by bucket (one seek per bucket and subject form), and scans the few entries at or
//    above upto by seq.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
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

// The merged level: spans of 2^span_shift entries (log_info.subject_span_shift, 20; tests set a
// smaller one before anything is merged). Its state starts at 0: nothing merged.
inline constexpr int kSubjectSpanShift = 20;
// A span is merged in chunks of subject HMACs, by their first two characters (64 x 64 ranges of
// the base64 alphabet, in byte order), one chunk per transaction.
inline constexpr int kSubjectMergeChunks = 4096;
inline constexpr const char* kSubjectSpansMigration = R"sql(
CREATE TABLE audit_subject_spans (
  span         INTEGER NOT NULL,           -- seq >> log_info.subject_span_shift
  subject_hmac TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  PRIMARY KEY (span, subject_hmac, seq)
) WITHOUT ROWID;
INSERT INTO log_info (key, value) VALUES ('subject_span_shift', '20'), ('subject_spans_upto', '0'),
  ('subject_span_chunk', '0');
)sql";

struct SubjectIndexState {
  std::int64_t upto = 0;        // entries [0, upto) are indexed
  std::int64_t spans_upto = 0;  // entries [0, spans_upto) are in audit_subject_spans; a whole number of spans
  int span_shift = kSubjectSpanShift;
  int merge_chunk = 0;  // the next chunk of HMACs to merge of the span starting at spans_upto
  bool reset = false;   // the stored spans position was unusable: index_subjects stores 0 again
};

// Reads the state from log_info. A missing or unreadable upto is 0: everything is scanned and
// indexed again (re-adding an entry is harmless). A missing or unreadable spans_upto makes both 0
// (the buckets below it may be gone): everything is scanned, indexed and merged again. An
// unreadable span shift is corruption (the spans could not be read).
Result<SubjectIndexState> subject_index_state(store::sqlite::Connection& conn);
inline Result<std::int64_t> subject_index_upto(store::sqlite::Connection& conn) {
  YICI_TRY(const auto state, subject_index_state(conn));
  return state.upto;
}

// The writer's settings for the index's own transactions, for as long as this lives; the usual
// ones again afterwards, whatever happens. synchronous=NORMAL: the index is derived data, lost in
// a crash together with its position (the entries' commits need FULL, as connection.cpp opens
// every connection). No busy wait: while another process holds audit.db locked, an index step
// fails at once (kUnavailable) and is tried again later, instead of holding up the commits
// queued behind it, whose own wait is then logged (audit_commit_slow).
class DerivedWrites {
 public:
  static Result<DerivedWrites> begin(store::sqlite::Connection& w);
  DerivedWrites(DerivedWrites&& other) noexcept : w_(std::exchange(other.w_, nullptr)) {}
  DerivedWrites(const DerivedWrites&) = delete;
  DerivedWrites& operator=(const DerivedWrites&) = delete;
  DerivedWrites& operator=(DerivedWrites&&) = delete;
  ~DerivedWrites();

 private:
  explicit DerivedWrites(store::sqlite::Connection& w) : w_(&w) {}
  store::sqlite::Connection* w_;
};

// Sets one log_info value (the index's positions are kept as text, as log_info keeps values).
Status save_log_info(store::sqlite::Connection& w, const char* key, std::int64_t value);

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
