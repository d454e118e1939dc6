// Merging the subject index's buckets into spans (subject_index.h), so that a search over a big
// log seeks once per span of 1,048,576 entries instead of once per bucket of 4,096.
//
// A span is merged once all its entries are indexed, one chunk of subject HMACs per transaction:
// the chunk's rows are read from each of the span's 256 buckets (one seek each), sorted by
// (subject_hmac, seq) and appended to the span, together with the next chunk's number. The last
// chunk's transaction moves spans_upto past the span: until then searches read its buckets, and
// ignore the part already merged. Then the span's buckets are dropped, one per step. A step holds
// the audit writer for about a millisecond, so commits interleave with a merge; transactions are
// committed without an fsync of their own (derived data: a crash loses a step and its position
// together, and the step is made again).
#pragma once

#include <chrono>

#include "hub/core/result.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {

// How the audit log's merger paces its steps: runs of at most kSubjectMergeRun (so that stopping
// never waits long), kSubjectMergePause between two steps. The pause lets a waiting group commit,
// and the WAL checkpointer's restart round, take the writer first: run back to back, steps kept
// the checkpointer from the writer while the log grew, and its round then held the writer for up
// to 56 ms (and the writer's own checkpoint ran inside a step: 60-100 ms).
inline constexpr std::chrono::milliseconds kSubjectMergeRun{100};
inline constexpr std::chrono::microseconds kSubjectMergePause{200};

// One step: merges the next chunk of a span whose entries are all indexed, or else drops one
// bucket below spans_upto. Returns whether it did either (then more may wait).
// REQUIRES: the writer connection, outside a transaction.
Result<bool> merge_subject_step(store::sqlite::Connection& writer);

}  // namespace yici::audit
