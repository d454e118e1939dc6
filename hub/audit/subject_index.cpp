#include "hub/audit/subject_index.h"

#include <algorithm>
#include <utility>

namespace yici::audit {
namespace {

constexpr const char* kReadState =
    "SELECT key, CAST(value AS INTEGER) FROM log_info WHERE key IN ('subject_index_upto', 'subject_spans_upto', "
    "'subject_span_shift', 'subject_span_chunk') AND value GLOB '[0-9]*'";
constexpr const char* kAddBatch =
    "INSERT OR IGNORE INTO audit_subject_index (bucket, subject_hmac, seq) "
    "SELECT seq >> 12, subject_hmac, seq FROM audit_entries WHERE seq >= ?1 AND seq < ?2 AND subject_hmac <> ''";
constexpr const char* kSaveValue =
    "INSERT INTO log_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static_assert(kSubjectBucketShift == 12, "kAddBatch and kSubjectIndexMigration compute seq >> 12");

// A read transaction on a reader connection: every statement until it ends sees one snapshot.
class ReadSnapshot {
 public:
  static Result<ReadSnapshot> begin(store::sqlite::Connection& reader) {
    YICI_TRY_STATUS(reader.exec("BEGIN"));
    return ReadSnapshot(reader);
  }
  ReadSnapshot(ReadSnapshot&& other) noexcept : reader_(std::exchange(other.reader_, nullptr)) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(ReadSnapshot&&) = delete;
  ~ReadSnapshot() {
    if (reader_ != nullptr) (void)reader_->exec("COMMIT");
  }

 private:
  explicit ReadSnapshot(store::sqlite::Connection& reader) : reader_(&reader) {}
  store::sqlite::Connection* reader_;
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

Result<DerivedWrites> DerivedWrites::begin(store::sqlite::Connection& w) {
  YICI_TRY_STATUS(w.exec("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 0"));
  return DerivedWrites(w);
}

DerivedWrites::~DerivedWrites() {
  if (w_ != nullptr) {
    (void)w_->exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = " + std::to_string(store::sqlite::kBusyTimeoutMs));
  }
}

Status save_log_info(store::sqlite::Connection& w, const char* key, std::int64_t value) {
  YICI_TRY(store::sqlite::Statement * save, w.cached(kSaveValue));
  const std::string text = std::to_string(value);
  save->bind(1, key).bind(2, text);
  Status saved = save->run();
  save->reset();  // `text` is bound without a copy and goes out of scope
  return saved;
}

Result<SubjectIndexState> subject_index_state(store::sqlite::Connection& conn) {
  YICI_TRY(store::sqlite::Statement * st, conn.cached(kReadState));
  SubjectIndexState state;
  std::int64_t shift = kSubjectSpanShift;
  std::int64_t chunk = 0;
  bool spans_known = false;
  YICI_TRY_STATUS(st->each_row([&] {
    const std::string_view key = st->column_text(0);
    const std::int64_t value = st->column_int(1);
    if (key == "subject_index_upto") state.upto = value;
    if (key == "subject_spans_upto") {
      state.spans_upto = value;
      spans_known = true;
    }
    if (key == "subject_span_shift") shift = value;
    if (key == "subject_span_chunk") chunk = value;
  }));
  if (shift <= kSubjectBucketShift || shift > 40) {
    return Error::corruption("audit.db log_info subject_span_shift is " + std::to_string(shift) +
                             "; it must be more than " + std::to_string(kSubjectBucketShift) + " and at most 40");
  }
  state.span_shift = static_cast<int>(shift);
  state.upto = std::max<std::int64_t>(0, state.upto);
  // A spans position that is missing, not a whole number of spans, or beyond what is indexed is
  // not one this hub wrote. The buckets below it may have been dropped, so the index is not
  // trusted at all: searches scan the log, and everything is indexed and merged again (rows
  // already there are added again without error).
  const std::int64_t span = std::int64_t{1} << shift;
  if (!spans_known || state.spans_upto < 0 || state.spans_upto % span != 0 || state.spans_upto > state.upto) {
    state.spans_upto = 0;
    state.upto = 0;
    state.reset = true;
  }
  state.merge_chunk = chunk >= 0 && chunk < kSubjectMergeChunks ? static_cast<int>(chunk) : 0;
  return state;
}

Result<std::int64_t> index_subjects(store::sqlite::Connection& writer, std::int64_t end) {
  YICI_TRY(auto settings, DerivedWrites::begin(writer));
  YICI_TRY(auto tx, store::sqlite::Transaction::begin(writer));
  YICI_TRY(const SubjectIndexState state, subject_index_state(writer));
  const std::int64_t upto = state.upto;
  const std::int64_t to = std::min<std::int64_t>(end, upto + static_cast<std::int64_t>(kSubjectIndexBatch));
  if (to <= upto) return upto;  // the transaction rolls back: nothing to add
  YICI_TRY(store::sqlite::Statement * add, writer.cached(kAddBatch));
  add->bind(1, upto).bind(2, to);
  const Status added = add->run();
  add->reset();
  YICI_TRY_STATUS(added);
  YICI_TRY_STATUS(save_log_info(writer, "subject_index_upto", to));
  if (state.reset) {
    YICI_TRY_STATUS(save_log_info(writer, "subject_spans_upto", 0));
    YICI_TRY_STATUS(save_log_info(writer, "subject_span_chunk", 0));
  }
  YICI_TRY_STATUS(tx.commit());
  return to;
}

Status for_each_subject_seq(store::sqlite::Connection& reader, const std::vector<std::string>& hmacs,
                            std::int64_t after_seq, const std::function<Result<bool>(std::int64_t seq)>& visit) {
  if (hmacs.empty()) return {};
  // The state and every part from one snapshot: once a span is merged its buckets are dropped,
  // and a search that read the state before would not find them any more.
  YICI_TRY(auto snapshot, ReadSnapshot::begin(reader));
  YICI_TRY(const SubjectIndexState state, subject_index_state(reader));
  const auto visit_all = [&](store::sqlite::Statement& st) -> Result<bool> {
    while (true) {
      YICI_TRY(const bool row, st.step());
      if (!row) return true;
      YICI_TRY(const bool more, visit(st.column_int(0)));
      if (!more) return false;
    }
  };
  // Seq in [from, to) in `table`, one group (`unit` = span or bucket) at a time.
  const auto by_group = [&](const char* table, const char* unit, int shift, std::int64_t from,
                            std::int64_t to) -> Result<bool> {
    if (from >= to) return true;
    YICI_TRY(auto st, reader.prepare(std::string("SELECT seq FROM ") + table + " WHERE " + unit +
                                     " = ?1 AND seq >= ?2 AND seq < ?3 AND subject_hmac IN " +
                                     in_list(hmacs.size(), 4) + " ORDER BY seq"));
    for (std::int64_t group = from >> shift; group <= (to - 1) >> shift; ++group) {
      st.bind(1, group).bind(2, from).bind(3, to);
      for (std::size_t i = 0; i < hmacs.size(); ++i) st.bind(static_cast<int>(i) + 4, hmacs[i]);
      auto more = visit_all(st);
      st.reset();
      YICI_TRY(const bool go_on, std::move(more));
      if (!go_on) return false;
    }
    return true;
  };
  const std::int64_t from = after_seq + 1;
  YICI_TRY(const bool more_spans, by_group("audit_subject_spans", "span", state.span_shift, from, state.spans_upto));
  if (!more_spans) return {};
  YICI_TRY(const bool more_buckets, by_group("audit_subject_index", "bucket", kSubjectBucketShift,
                                             std::max(from, state.spans_upto), state.upto));
  if (!more_buckets) return {};
  // The tail the committer has not indexed yet: a few hundred milliseconds of entries.
  YICI_TRY(auto tail, reader.prepare("SELECT seq FROM audit_entries WHERE seq >= ?1 AND subject_hmac IN " +
                                     in_list(hmacs.size(), 2) + " ORDER BY seq"));
  tail.bind(1, std::max(from, state.upto));
  for (std::size_t i = 0; i < hmacs.size(); ++i) tail.bind(static_cast<int>(i) + 2, hmacs[i]);
  YICI_TRY_STATUS(visit_all(tail));
  return {};
}

}  // namespace yici::audit
