#include "hub/audit/subject_index_merge.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/audit/subject_index.h"

namespace yici::audit {
namespace {

// Base64's alphabet in byte order: chunk i holds HMACs from its two characters up to the next
// chunk's; the first from the smallest string, the last to the largest, so every HMAC is in one.
constexpr std::string_view kAlphabet = "+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static_assert(kAlphabet.size() * kAlphabet.size() == kSubjectMergeChunks);

std::string chunk_start(int chunk) {
  if (chunk == 0) return "";
  const auto i = static_cast<std::size_t>(chunk);
  return {kAlphabet[i / kAlphabet.size()], kAlphabet[i % kAlphabet.size()]};
}

constexpr const char* kChunkRows =
    "SELECT subject_hmac, seq FROM audit_subject_index WHERE bucket = ?1 AND subject_hmac >= ?2 AND subject_hmac < ?3";
constexpr const char* kLastChunkRows =
    "SELECT subject_hmac, seq FROM audit_subject_index WHERE bucket = ?1 AND subject_hmac >= ?2";
constexpr const char* kAddToSpan =
    "INSERT OR IGNORE INTO audit_subject_spans (span, subject_hmac, seq) VALUES (?1, ?2, ?3)";
constexpr const char* kMergedBucket =
    "SELECT bucket FROM audit_subject_index WHERE bucket < ?1 ORDER BY bucket LIMIT 1";
constexpr const char* kDropBucket = "DELETE FROM audit_subject_index WHERE bucket = ?1";

// Merges chunk state.merge_chunk of the span that starts at state.spans_upto.
Status merge_chunk(store::sqlite::Connection& w, const SubjectIndexState& state) {
  const std::int64_t buckets = std::int64_t{1} << (state.span_shift - kSubjectBucketShift);
  const std::int64_t first_bucket = state.spans_upto >> kSubjectBucketShift;
  const bool last = state.merge_chunk == kSubjectMergeChunks - 1;
  const std::string lo = chunk_start(state.merge_chunk);
  const std::string hi = last ? std::string() : chunk_start(state.merge_chunk + 1);
  YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
  std::vector<std::pair<std::string, std::int64_t>> rows;
  YICI_TRY(store::sqlite::Statement * read, w.cached(last ? kLastChunkRows : kChunkRows));
  for (std::int64_t bucket = first_bucket; bucket < first_bucket + buckets; ++bucket) {
    read->bind(1, bucket).bind(2, lo);
    if (!last) read->bind(3, hi);
    const Status read_all =
        read->each_row([&] { rows.emplace_back(std::string(read->column_text(0)), read->column_int(1)); });
    YICI_TRY_STATUS(read_all);
  }
  std::sort(rows.begin(), rows.end());
  YICI_TRY(store::sqlite::Statement * add, w.cached(kAddToSpan));
  const std::int64_t span = state.spans_upto >> state.span_shift;
  for (const auto& [hmac, seq] : rows) {
    add->bind(1, span).bind(2, hmac).bind(3, seq);
    const Status added = add->run();
    add->reset();
    YICI_TRY_STATUS(added);
  }
  if (last) {
    YICI_TRY_STATUS(save_log_info(w, "subject_spans_upto", state.spans_upto + (std::int64_t{1} << state.span_shift)));
    YICI_TRY_STATUS(save_log_info(w, "subject_span_chunk", 0));
  } else {
    YICI_TRY_STATUS(save_log_info(w, "subject_span_chunk", state.merge_chunk + 1));
  }
  return tx.commit();
}

// Drops the first bucket below spans_upto, if any. Returns whether there was one.
Result<bool> drop_merged_bucket(store::sqlite::Connection& w, const SubjectIndexState& state) {
  YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
  YICI_TRY(store::sqlite::Statement * find, w.cached(kMergedBucket));
  find->bind(1, state.spans_upto >> kSubjectBucketShift);
  YICI_TRY(const bool found, find->step());
  const std::int64_t bucket = found ? find->column_int(0) : 0;
  find->reset();
  if (!found) return false;
  YICI_TRY(store::sqlite::Statement * drop, w.cached(kDropBucket));
  drop->bind(1, bucket);
  const Status dropped = drop->run();
  drop->reset();
  YICI_TRY_STATUS(dropped);
  YICI_TRY_STATUS(tx.commit());
  return true;
}

}  // namespace

Result<bool> merge_subject_step(store::sqlite::Connection& writer) {
  YICI_TRY(auto settings, DerivedWrites::begin(writer));
  YICI_TRY(const SubjectIndexState state, subject_index_state(writer));
  if (state.spans_upto + (std::int64_t{1} << state.span_shift) <= state.upto) {
    YICI_TRY_STATUS(merge_chunk(writer, state));
    return true;
  }
  return drop_merged_bucket(writer, state);
}

}  // namespace yici::audit
