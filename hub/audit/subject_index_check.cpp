#include "hub/audit/subject_index_check.h"

namespace yici::audit {
namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

static_assert(kSubjectBucketShift == 12, "the statements below compute seq >> 12");

// The rows a search reads (for_each_subject_seq): spans below spans_upto, buckets from there.
constexpr const char* kSpanRows =
    "SELECT subject_hmac, seq FROM audit_subject_spans WHERE span < ?1 AND seq >= 0 AND seq < ?2";
constexpr const char* kBucketRows =
    "SELECT subject_hmac, seq FROM audit_subject_index WHERE bucket >= ?1 AND bucket <= ?2 AND seq >= ?3 AND "
    "seq < ?4";

// The first entry below upto that a search would not find where it looks for it.
constexpr const char* kFirstMissing =
    "SELECT e.seq FROM audit_entries e WHERE e.seq < ?1 AND e.subject_hmac <> '' AND "
    "NOT EXISTS (SELECT 1 FROM audit_subject_spans s WHERE e.seq < ?2 AND s.span = e.seq >> ?3 AND "
    "s.subject_hmac = e.subject_hmac AND s.seq = e.seq) AND "
    "NOT EXISTS (SELECT 1 FROM audit_subject_index b WHERE e.seq >= ?2 AND b.bucket = e.seq >> 12 AND "
    "b.subject_hmac = e.subject_hmac AND b.seq = e.seq) ORDER BY e.seq LIMIT 1";
// The first row a search reads that is not an entry's own, or sits in another span or bucket
// than its seq's.
constexpr const char* kFirstExtraSpan =
    "SELECT s.span, s.seq, (SELECT e.subject_hmac FROM audit_entries e WHERE e.seq = s.seq) FROM audit_subject_spans s "
    "WHERE s.span < ?1 AND s.seq >= 0 AND s.seq < ?2 AND (s.span <> s.seq >> ?3 OR NOT EXISTS "
    "(SELECT 1 FROM audit_entries e WHERE e.seq = s.seq AND e.subject_hmac = s.subject_hmac)) ORDER BY s.seq LIMIT 1";
constexpr const char* kFirstExtraBucket =
    "SELECT b.bucket, b.seq, (SELECT e.subject_hmac FROM audit_entries e WHERE e.seq = b.seq) FROM "
    "audit_subject_index b WHERE b.bucket >= ?1 AND b.bucket <= ?2 AND b.seq >= ?3 AND b.seq < ?4 AND "
    "(b.bucket <> b.seq >> 12 OR NOT EXISTS "
    "(SELECT 1 FROM audit_entries e WHERE e.seq = b.seq AND e.subject_hmac = b.subject_hmac)) ORDER BY b.seq LIMIT 1";

Result<bool> has_table(Connection& db, const char* name) {
  YICI_TRY(auto st, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"));
  st.bind(1, name);
  return st.step();
}

// ?1..?4 of the bucket statements: the buckets from spans_upto to upto, and the seq range.
void bind_bucket_region(Statement& st, const SubjectIndexState& s) {
  st.bind(1, s.spans_upto >> kSubjectBucketShift)
      .bind(2, (s.upto - 1) >> kSubjectBucketShift)
      .bind(3, s.spans_upto)
      .bind(4, s.upto);
}

std::string spans_name(const SubjectIndexState& s) {
  return "audit_subject_spans (the merged index below entry " + std::to_string(s.spans_upto) + ")";
}
std::string buckets_name(const SubjectIndexState& s) {
  return "audit_subject_index (the index from entry " + std::to_string(s.spans_upto) + " to " + std::to_string(s.upto) +
         ")";
}

// The extra row `st` found (group, seq, the entry's own HMAC or NULL), named.
std::string extra_row(Statement& st, const std::string& table, const char* unit, int shift) {
  const std::int64_t group = st.column_int(0);
  const std::int64_t seq = st.column_int(1);
  const std::string entry = "entry " + std::to_string(seq);
  if (group != seq >> shift) {
    return table + " lists " + entry + " in " + unit + " " + std::to_string(group) + "; it belongs in " + unit + " " +
           std::to_string(seq >> shift) + " (edited): a search returns it out of place or twice";
  }
  if (st.column_is_null(2)) {
    return table + " lists " + entry + ", which is not in the log (edited, or entries were deleted)";
  }
  return table + " lists " + entry + " under a subject HMAC that is not the entry's (edited): a search for another " +
         "subject shows this entry";
}

}  // namespace

SubjectIndexCheck::~SubjectIndexCheck() {
  if (db_) (void)db_->exec("COMMIT");
}

Result<std::unique_ptr<SubjectIndexCheck>> SubjectIndexCheck::open(const std::string& audit_db_path,
                                                                   std::string& skipped) {
  YICI_TRY(auto db, Connection::open(audit_db_path, Connection::Mode::kReadOnly));
  YICI_TRY_STATUS(db->exec("PRAGMA mmap_size = 1073741824"));
  // One snapshot for the state and every row read after it: the hub may be indexing and merging
  // meanwhile (a merge copies buckets into a span, then moves spans_upto, then drops the buckets).
  YICI_TRY_STATUS(db->exec("BEGIN"));
  auto check = std::unique_ptr<SubjectIndexCheck>(new SubjectIndexCheck(std::move(db), {}));
  YICI_TRY(const bool spans, has_table(*check->db_, "audit_subject_spans"));
  YICI_TRY(const bool buckets, has_table(*check->db_, "audit_subject_index"));
  YICI_TRY(const bool info, has_table(*check->db_, "log_info"));
  if (!spans || !buckets || !info) {
    skipped = "this log has no subject index (written by a hub from before it; the next hub to open it builds one)";
    return std::unique_ptr<SubjectIndexCheck>();
  }
  YICI_TRY(check->state_, subject_index_state(*check->db_));
  if (check->state_.reset) {
    skipped =
        "log_info's subject_spans_upto is missing or not a position the hub writes, so the hub does not use the "
        "index (subject searches scan the whole log) and builds it again";
    return std::unique_ptr<SubjectIndexCheck>();
  }
  return check;
}

Result<MultisetDigest> SubjectIndexCheck::index_digest(const DigestKey& key) {
  MultisetDigest digest(key);
  const auto fold = [&](Statement& st) {
    return st.each_row([&] { digest.add(st.column_text(0), st.column_int(1)); });
  };
  {
    YICI_TRY(auto st, db_->prepare(kSpanRows));
    st.bind(1, state_.spans_upto >> state_.span_shift).bind(2, state_.spans_upto);
    YICI_TRY_STATUS(fold(st));
  }
  if (state_.upto > state_.spans_upto) {
    YICI_TRY(auto st, db_->prepare(kBucketRows));
    bind_bucket_region(st, state_);
    YICI_TRY_STATUS(fold(st));
  }
  return digest;
}

Result<std::string> SubjectIndexCheck::first_difference() {
  const SubjectIndexState& s = state_;
  // Missing entries first, and the lowest one, whatever part of the index it should be in.
  {
    YICI_TRY(auto st, db_->prepare(kFirstMissing));
    st.bind(1, s.upto).bind(2, s.spans_upto).bind(3, static_cast<std::int64_t>(s.span_shift));
    YICI_TRY(const bool row, st.step());
    if (row) {
      const std::int64_t seq = st.column_int(0);
      const bool in_spans = seq < s.spans_upto;
      return "entry " + std::to_string(seq) + " is missing from the subject index, " +
             (in_spans ? spans_name(s) + " span " + std::to_string(seq >> s.span_shift)
                       : buckets_name(s) + " bucket " + std::to_string(seq >> kSubjectBucketShift)) +
             " (deleted or edited): a search for its subject does not show it";
    }
  }
  {
    YICI_TRY(auto st, db_->prepare(kFirstExtraSpan));
    st.bind(1, s.spans_upto >> s.span_shift).bind(2, s.spans_upto).bind(3, static_cast<std::int64_t>(s.span_shift));
    YICI_TRY(const bool row, st.step());
    if (row) return extra_row(st, spans_name(s), "span", s.span_shift);
  }
  if (s.upto > s.spans_upto) {
    YICI_TRY(auto st, db_->prepare(kFirstExtraBucket));
    bind_bucket_region(st, s);
    YICI_TRY(const bool row, st.step());
    if (row) return extra_row(st, buckets_name(s), "bucket", kSubjectBucketShift);
  }
  return std::string(
      "the subject index does not match the entries (their digests differ), but no single row was found to differ");
}

}  // namespace yici::audit
