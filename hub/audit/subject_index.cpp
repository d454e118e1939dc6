#include "hub/audit/subject_index.h"

#include <algorithm>
#include <utility>

namespace yici::audit {
namespace {

constexpr const char* kReadUpto =
    "SELECT CAST(value AS INTEGER) FROM log_info WHERE key = 'subject_index_upto' AND value GLOB '[0-9]*'";
constexpr const char* kAddBatch =
    "INSERT OR IGNORE INTO audit_subject_index (bucket, subject_hmac, seq) "
    "SELECT seq >> 12, subject_hmac, seq FROM audit_entries WHERE seq >= ?1 AND seq < ?2 AND subject_hmac <> ''";
constexpr const char* kSaveUpto =
    "INSERT INTO log_info (key, value) VALUES ('subject_index_upto', ?1) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static_assert(kSubjectBucketShift == 12, "kAddBatch and kSubjectIndexMigration compute seq >> 12");

// synchronous=NORMAL for one transaction on the writer, FULL again afterwards whatever happens
// (connection.cpp opens every connection FULL: the entries' commits depend on it).
class UnsyncedCommits {
 public:
  static Result<UnsyncedCommits> begin(store::sqlite::Connection& w) {
    YICI_TRY_STATUS(w.exec("PRAGMA synchronous = NORMAL"));
    return UnsyncedCommits(w);
  }
  UnsyncedCommits(UnsyncedCommits&& other) noexcept : w_(std::exchange(other.w_, nullptr)) {}
  UnsyncedCommits(const UnsyncedCommits&) = delete;
  UnsyncedCommits& operator=(const UnsyncedCommits&) = delete;
  UnsyncedCommits& operator=(UnsyncedCommits&&) = delete;
  ~UnsyncedCommits() {
    if (w_ != nullptr) (void)w_->exec("PRAGMA synchronous = FULL");
  }

 private:
  explicit UnsyncedCommits(store::sqlite::Connection& w) : w_(&w) {}
  store::sqlite::Connection* w_;
};

std::string in_list(std::size_t n, int first) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string(first + static_cast<int>(i));
  }
  return out + ")";
}

}  // namespace

Result<std::int64_t> subject_index_upto(store::sqlite::Connection& conn) {
  YICI_TRY(store::sqlite::Statement * st, conn.cached(kReadUpto));
  YICI_TRY(const bool found, st->step());
  const std::int64_t upto = found ? std::max<std::int64_t>(0, st->column_int(0)) : 0;
  st->reset();
  return upto;
}

Result<std::int64_t> index_subjects(store::sqlite::Connection& writer, std::int64_t end) {
  YICI_TRY(auto unsynced, UnsyncedCommits::begin(writer));
  YICI_TRY(auto tx, store::sqlite::Transaction::begin(writer));
  YICI_TRY(const std::int64_t upto, subject_index_upto(writer));
  const std::int64_t to = std::min<std::int64_t>(end, upto + static_cast<std::int64_t>(kSubjectIndexBatch));
  if (to <= upto) return upto;  // the transaction rolls back: nothing to add
  YICI_TRY(store::sqlite::Statement * add, writer.cached(kAddBatch));
  add->bind(1, upto).bind(2, to);
  const Status added = add->run();
  add->reset();
  YICI_TRY_STATUS(added);
  YICI_TRY(store::sqlite::Statement * save, writer.cached(kSaveUpto));
  const std::string value = std::to_string(to);  // text, as log_info keeps values
  save->bind(1, value);
  const Status saved = save->run();
  save->reset();  // `value` is bound without a copy and goes out of scope
  YICI_TRY_STATUS(saved);
  YICI_TRY_STATUS(tx.commit());
  return to;
}

Status for_each_subject_seq(store::sqlite::Connection& reader, const std::vector<std::string>& hmacs,
                            std::int64_t after_seq, const std::function<Result<bool>(std::int64_t seq)>& visit) {
  if (hmacs.empty()) return {};
  // Entries below upto stay in the index (entries are never deleted, an index row never changes),
  // so reading upto first and the index and the tail in later statements misses nothing.
  YICI_TRY(const std::int64_t upto, subject_index_upto(reader));
  const auto visit_all = [&](store::sqlite::Statement& st) -> Result<bool> {
    while (true) {
      YICI_TRY(const bool row, st.step());
      if (!row) return true;
      YICI_TRY(const bool more, visit(st.column_int(0)));
      if (!more) return false;
    }
  };
  const std::int64_t from = after_seq + 1;
  if (from < upto) {
    YICI_TRY(auto bucket_seqs,
             reader.prepare("SELECT seq FROM audit_subject_index WHERE bucket = ?1 AND seq >= ?2 AND seq < ?3 "
                            "AND subject_hmac IN " +
                            in_list(hmacs.size(), 4) + " ORDER BY seq"));
    for (std::int64_t bucket = from >> kSubjectBucketShift; bucket <= (upto - 1) >> kSubjectBucketShift; ++bucket) {
      bucket_seqs.bind(1, bucket).bind(2, from).bind(3, upto);
      for (std::size_t i = 0; i < hmacs.size(); ++i) bucket_seqs.bind(static_cast<int>(i) + 4, hmacs[i]);
      auto more = visit_all(bucket_seqs);
      bucket_seqs.reset();
      YICI_TRY(const bool go_on, std::move(more));
      if (!go_on) return {};
    }
  }
  // The tail the committer has not indexed yet: a few hundred milliseconds of entries.
  YICI_TRY(auto tail, reader.prepare("SELECT seq FROM audit_entries WHERE seq >= ?1 AND subject_hmac IN " +
                                     in_list(hmacs.size(), 2) + " ORDER BY seq"));
  tail.bind(1, std::max(from, upto));
  for (std::size_t i = 0; i < hmacs.size(); ++i) tail.bind(static_cast<int>(i) + 2, hmacs[i]);
  YICI_TRY_STATUS(visit_all(tail));
  return {};
}

}  // namespace yici::audit
