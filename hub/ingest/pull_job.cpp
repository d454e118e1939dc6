#include "hub/ingest/pull_job.h"

#include <algorithm>
#include <chrono>
#include <future>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "hub/core/log.h"
#include "hub/core/serial_worker.h"
#include "hub/core/sha256.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"
#include "hub/ingest/cursor.h"
#include "hub/store/source_key.h"

namespace yici::ingest {
namespace {

int index_of(const std::vector<std::string>& columns, const std::string& name) {
  return static_cast<int>(std::find(columns.begin(), columns.end(), name) - columns.begin());
}

// A quarantined row as the department sees it: each value kept to its first kQuarantinedValueBytes
// bytes and its length (a 6 MB name in 40 rows grew the store by 240 MB).
constexpr std::size_t kQuarantinedValueBytes = 1024;

std::string row_json(const std::vector<std::string>& columns, const adapters::Row& row) {
  boost::json::object o;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (row.values[i])
      o[columns[i]] = bounded_utf8(*row.values[i], kQuarantinedValueBytes);
    else
      o[columns[i]] = nullptr;
  }
  return boost::json::serialize(o);
}

struct Batch {
  std::vector<store::Record> records;
  std::vector<store::QuarantinedRow> quarantined;
  std::optional<std::string> cursor;
  std::optional<store::PullProgress> progress;
  std::optional<std::string> quarantine_unseen_before;
  bool clear_progress = false;
  [[nodiscard]] std::size_t size() const { return records.size() + quarantined.size(); }
  void clear() {
    records.clear();
    quarantined.clear();
  }
};

}  // namespace

Result<store::PullRun> run_pull(const SourceDefinition& source, store::RecordStore& store, RowNormaliser& normaliser,
                                const PullOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  store::PullRun run;
  run.source = source.id;
  run.started_at = format_rfc3339_micros(now_utc());
  run.mode = "full";

  auto body = [&]() -> Status {
    adapters::ReadRequest request;
    request.columns = source.columns_to_read();
    request.primary_key = source.primary_key;
    std::optional<std::string> saved;
    if (source.cursor && !options.force_full) {
      YICI_TRY(saved, store.load_cursor(source.id));  // none yet: first pull, or after an update
    }
    if (saved && !rewind_cursor(*saved, source.cursor->overlap)) {
      // Saved by an earlier version that took any value: a full pull finds a usable one again.
      log::warn("pull_cursor_unusable", {{"source", source.id},
                                         {"error", "the saved cursor is neither a timestamp nor an integer"},
                                         {"action", "reading the whole source again; nothing is lost"}});
      saved.reset();
    }
    const bool incremental = saved.has_value();
    if (incremental) run.mode = "incremental";
    // A full pull reads in key order where the adapter can: the store's key indexes are then
    // written in order, not at random, and the pull resumes after its last committed row.
    const bool by_key = !incremental && source.adapter->resumes_by_key();
    if (source.cursor && !by_key) request.cursor_column = source.cursor->column;
    if (incremental) {
      auto from = rewind_cursor(*saved, source.cursor->overlap);
      if (!from) return Error::invalid("source " + source.id + ": saved cursor: " + from.error().message);
      request.cursor_from = *from;
    }
    // The highest cursor value read, saved when the pull ends. A full pull that resumes keeps the
    // value its first read saw: a row changed between the two reads has a higher cursor than that,
    // so the next incremental pull reads it; a higher value from the second read could skip it.
    std::optional<std::string> max_cursor;
    bool cursor_frozen = false;
    // Values that would have moved the cursor but may not (see check_cursor): counted, and logged
    // once at the end. Checked only when a value is the highest so far, so the read stays cheap.
    const auto cursor_latest = std::chrono::system_clock::now() + kCursorClockSkew;
    std::int64_t unreadable_cursors = 0;
    std::int64_t future_cursors = 0;
    std::int64_t null_cursors = 0;  // rows without a cursor value: every incremental pull reads them again
    if (by_key) {
      YICI_TRY(auto progress, store.load_progress(source.id));
      if (progress) {
        request.resume_after = progress->resume_after;
        max_cursor = progress->cursor;
        cursor_frozen = true;
      }
    }
    // Positions of mapped fields, cursor and status among the columns read.
    std::vector<std::string> field_names;
    std::vector<int> field_index;
    for (const auto& [field, column] : source.mapping) {
      field_names.push_back(field);
      field_index.push_back(index_of(request.columns, column));
    }
    const int cursor_index = source.cursor ? index_of(request.columns, source.cursor->column) : -1;
    const int status_index = source.status ? index_of(request.columns, source.status->column) : -1;
    std::vector<int> key_index;
    std::string key_columns;
    for (const auto& k : source.primary_key) {
      key_index.push_back(index_of(request.columns, k));
      key_columns += (key_columns.empty() ? "" : ", ") + k;
    }
    boost::json::array missing_key;
    missing_key.push_back(
        {{"field", nullptr},
         {"code", "missing_key"},
         {"message", "源数据行的主键（" + key_columns + "）为空，无法识别该行；请部门补全后重新导出"}});
    const std::string missing_key_errors = boost::json::serialize(missing_key);

    auto opened = source.adapter->read(request);
    if (!opened && request.resume_after) {
      // The saved position no longer fits the source (its key changed type, say): read it all.
      // Neither the position nor the source's message about it is logged: both hold a key value,
      // which for most sources is a subject (an ID number, a credit code).
      log::warn("pull_resume_failed",
                {{"source", source.id},
                 {"error", "the source refused the saved position of the interrupted full pull"},
                 {"action", "reading the whole source again; check whether its key columns or their types changed"}});
      request.resume_after.reset();
      max_cursor.reset();
      cursor_frozen = false;
      opened = source.adapter->read(request);
    }
    if (!opened) return opened.take_error();
    if (request.resume_after) {
      run.mode = "resumed";  // a full pull that goes on after an interrupted one
      log::info("pull_resumed", {{"source", source.id}, {"from", "the row after the last committed batch"}});
    }
    std::unique_ptr<adapters::RowReader> reader = std::move(*opened);
    Batch batch;
    std::vector<std::optional<std::string>> values(field_names.size());
    adapters::Row row;
    const std::string pulled_at = run.started_at;
    // The cursor commits with each batch only when rows arrive in cursor order; otherwise a crash
    // could leave unread rows below a committed cursor, so it commits with the last batch.
    const bool cursor_per_batch = !by_key && source.adapter->ordered_by_cursor();
    // Batches commit on a second thread while this one reads and normalises the next: at most one
    // commit in flight, and batches commit in order, each with its own cursor, so a crash still
    // leaves the store at a batch boundary with the cursor that belongs to it.
    Batch committing;
    // One `pull-store` thread for the whole pull. Declared after `committing`, so destroyed first:
    // the worker finishes the commit in flight before its batch goes away, however the read ends.
    SerialWorker committer("pull-store");
    std::future<Result<store::UpsertCounts>> in_flight;
    auto wait_commit = [&]() -> Status {
      if (!in_flight.valid()) return {};
      YICI_TRY(auto counts, in_flight.get());
      run.counts.inserted += counts.inserted;
      run.counts.updated += counts.updated;
      run.counts.unchanged += counts.unchanged;
      run.counts.quarantined += counts.quarantined;
      run.counts.duplicates += counts.duplicates;
      run.counts.withdrawn += counts.withdrawn;
      run.counts.status_set += counts.status_set;
      committing.clear();
      return {};
    };
    // However the pull ends, the batch whose commit is in flight is waited for and, once stored,
    // counted: a read that fails part way must not leave rows stored but missing from the counts.
    // Declared after `committer`, so it runs before the worker is stopped.
    struct CountLastCommit {
      decltype(wait_commit)& wait;
      ~CountLastCommit() { (void)wait(); }
    } count_last_commit{wait_commit};
    // A listing read in pages while the service changes may have let a row slip past unread (see
    // Adapter::listing_is_snapshot): its last batch commits without the cursor and the full
    // pull's mark of rows seen, which follow in a batch of their own once the read shows no sign
    // of that.
    const bool listing_may_move = !source.adapter->listing_is_snapshot();
    auto flush = [&](bool last, bool final_marks = true) -> Status {
      if (cursor_per_batch || (last && final_marks)) batch.cursor = max_cursor;
      if (by_key && !last) {
        // A row whose key cannot be a resume point (a NULL part) leaves the last position as it was.
        if (auto token = reader->resume_token()) batch.progress = store::PullProgress{std::move(*token), max_cursor};
      }
      batch.clear_progress = last;  // the pull is complete: the next one starts afresh
      // A complete read in one go saw every row the source holds: quarantined rows it did not meet
      // again were fixed or removed there.
      if (last && final_marks && run.mode == "full") batch.quarantine_unseen_before = pulled_at;
      YICI_TRY_STATUS(wait_commit());
      if (batch.size() == 0 && !last) return {};
      std::swap(committing, batch);
      batch.cursor.reset();
      batch.progress.reset();
      batch.quarantine_unseen_before.reset();
      in_flight = committer.submit([&store, &source, &committing] {
        return store.commit_batch({.source = source.id,
                                   .records = committing.records,
                                   .quarantined = committing.quarantined,
                                   .cursor = committing.cursor,
                                   .progress = committing.progress,
                                   .clear_progress = committing.clear_progress,
                                   .quarantine_unseen_before = committing.quarantine_unseen_before,
                                   .department = source.department});
      });
      if (last) YICI_TRY_STATUS(wait_commit());
      return {};
    };
    while (true) {
      YICI_TRY(bool more, reader->next(row));
      if (!more) break;
      ++run.rows_read;
      // A row the adapter could not split into its columns (Row::defect): its values may be
      // shifted, so they neither move the cursor nor reach the normaliser.
      const bool defective = !row.defect.empty();
      if (cursor_index >= 0 && !defective && !row.values[static_cast<std::size_t>(cursor_index)]) ++null_cursors;
      if (cursor_index >= 0 && !cursor_frozen && !defective && row.values[static_cast<std::size_t>(cursor_index)]) {
        const std::string& value = *row.values[static_cast<std::size_t>(cursor_index)];
        if (!max_cursor || cursor_less(*max_cursor, value)) {
          switch (check_cursor(value, cursor_latest, source.cursor->zone)) {
            case CursorCheck::kUsable:
              max_cursor = value;
              break;
            case CursorCheck::kUnreadable:
              ++unreadable_cursors;
              break;
            case CursorCheck::kFuture:
              ++future_cursors;
              break;
          }
        }
      }
      // The key as the store compares it; a line the adapter could not split is named by its place
      // (bad_row FILE:LINE), kept as is. A key with a part NULL, empty or only spaces is missing.
      std::string key = defective ? std::move(row.key) : store::canonical_source_key(row.key);
      const bool key_missing = !defective && store::key_part_missing(key, key_index.size());
      for (std::size_t i = 0; i < field_index.size(); ++i)
        values[i] = row.values[static_cast<std::size_t>(field_index[i])];
      NormalisedRow out;
      if (defective) {
        boost::json::array errors;
        errors.push_back({{"field", nullptr}, {"code", "bad_row"}, {"message", row.defect}});
        out.errors_json = boost::json::serialize(errors);
      } else if (key_missing) {
        out.errors_json = missing_key_errors;
      } else {
        out = normaliser.normalise(field_names, values);
      }
      // The source's status column says withdrawn: honoured whether or not the row passes.
      bool marked_withdrawn = false;
      if (status_index >= 0 && !defective) {
        const auto& v = row.values[static_cast<std::size_t>(status_index)];
        const auto& w = source.status->withdrawn_values;
        marked_withdrawn = v && std::find(w.begin(), w.end(), *v) != w.end();
      }
      if (out.ok) {
        store::Record r;
        r.dataset = source.dataset;
        r.subject = std::move(out.subject);
        r.source = source.id;
        r.source_key = std::move(key);
        r.pulled_at = pulled_at;
        r.status = std::move(out.status);
        r.fields_json = std::move(out.fields_json);
        if (marked_withdrawn) r.status = "withdrawn";
        batch.records.push_back(std::move(r));
      } else {
        store::QuarantinedRow q;
        q.dataset = source.dataset;
        q.source = source.id;
        q.row_json = row_json(request.columns, row);
        // Rows without a key are told apart by their content: one entry each, not one for all.
        q.source_key = key_missing ? "missing_key " + sha256_hex(q.row_json).substr(0, 16) : std::move(key);
        if (!row.file.empty()) q.place = std::string(row.file) + ":" + std::to_string(row.line);
        q.errors_json = std::move(out.errors_json);
        q.seen_at = pulled_at;
        q.withdraws = marked_withdrawn && !key_missing;
        q.records_before = batch.records.size();
        if (!q.withdraws && !key_missing && !defective) {
          if (auto status = normaliser.rejected_row_status(field_names, values)) {
            q.status_field = std::move(status->field);
            q.status = std::move(status->status);
          }
        }
        batch.quarantined.push_back(std::move(q));
      }
      if (batch.size() >= options.batch_size) {
        YICI_TRY_STATUS(flush(false));
        if (options.cancel != nullptr && options.cancel->load()) {
          YICI_TRY_STATUS(wait_commit());
          return Error::unavailable("pull of " + source.id + " stopped after " + std::to_string(run.rows_read) +
                                    " rows (shutdown, or the source was changed, disabled or retired); the next pull "
                                    "goes on from the " +
                                    (by_key ? "last committed row" : "saved cursor") +
                                    " unless the source's definition changed");
        }
      }
    }
    std::optional<std::string> moved;
    if (listing_may_move) {
      YICI_TRY_STATUS(flush(true, false));
      moved = reader->listing_moved();
      if (!moved && run.counts.duplicates > 0) {
        moved = std::to_string(run.counts.duplicates) +
                " rows repeated a key read earlier in this read with other content: a record that changed during "
                "the read moved in the service's order, and the records behind it moved up a place";
      }
      if (moved) {
        // The rows read are stored; the cursor stays where it was, so the next pull reads the same
        // window again and finds the row that slipped past.
        log::warn("pull_listing_moved",
                  {{"source", source.id},
                   {"reason", *moved},
                   {"action",
                    "the listing changed while its pages were read, so a record may have been skipped: the rows "
                    "read are stored and the cursor was not moved, so the next pull reads them again. If this "
                    "is logged at every pull of a quiet service, its paging.total does not count what it lists, "
                    "or it lists a key twice: fix that at the service"}});
        run.warnings.push_back("listing_moved: " + *moved +
                               "; the rows read were stored and the cursor kept, so the next pull reads them again");
      } else {
        YICI_TRY_STATUS(flush(true));
      }
    } else {
      YICI_TRY_STATUS(flush(true));
    }
    // Repeated keys of a listing that moved are said by pull_listing_moved.
    const std::int64_t duplicates = moved ? 0 : run.counts.duplicates;
    if (duplicates > 0 && source.adapter_type == "csv") {
      // A CSV directory of increments repeats a key whenever a later export changes a record:
      // that is the normal case there, and the newest file's row is what is stored. (The pull does
      // not keep every key it read, so it cannot tell that from one file holding a key twice.)
      log::info("pull_keys_repeated",
                {{"source", source.id},
                 {"rows", run.counts.duplicates},
                 {"detail",
                  "rows repeating a key read earlier in this pull with other content; the row read last (the newest "
                  "file's) is stored: normal when a later export updates a record; if one file holds a key twice, "
                  "make the key unique in the export or fix primary_key"}});
    } else if (duplicates > 0) {
      log::warn("pull_duplicate_keys",
                {{"source", source.id},
                 {"rows", run.counts.duplicates},
                 {"action",
                  "the source has rows sharing a primary key with different content; the row read last for each "
                  "key was stored: make the key unique at the source, or fix primary_key"}});
      run.warnings.push_back("duplicate_keys: " + std::to_string(duplicates) +
                             " rows shared a primary key with other content and the row read last was stored; make "
                             "the key unique at the source, or fix primary_key");
    }
    if (unreadable_cursors > 0 || future_cursors > 0 || null_cursors > 0) {
      // Neither the values nor the rows' keys are logged: the keys are often subjects.
      log::warn("pull_cursor_values_skipped",
                {{"source", source.id},
                 {"column", source.cursor->column},
                 {"unreadable", unreadable_cursors},
                 {"in_future", future_cursors},
                 {"null", null_cursors},
                 {"action",
                  "these rows were pulled but did not move the cursor: fix the values at the source (a timestamp "
                  "such as 2026-01-02 10:00:00, or an integer, no later than now; not empty); until then every "
                  "pull reads them again. If in_future counts every new row, the source writes its times in "
                  "another zone than cursor.zone (+08:00 unless set) or its clock is fast"}});
      run.warnings.push_back("cursor_values_skipped: " + std::to_string(unreadable_cursors) + " unreadable, " +
                             std::to_string(future_cursors) + " in the future, " + std::to_string(null_cursors) +
                             " empty in " + source.cursor->column +
                             "; those rows were stored but did not move the cursor, and are read again each pull");
    }
    return Status();
  };

  Status status = body();
  run.finished_at = format_rfc3339_micros(now_utc());
  run.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (!status.ok()) run.error = status.error().message;
  if (auto st = store.record_pull_run(run); !st.ok()) {
    log::error("pull_history_write_failed", {{"source", source.id}, {"error", st.error().message}});
  }
  log::info("pull_finished", {{"source", source.id},
                              {"mode", run.mode},
                              {"rows_read", run.rows_read},
                              {"inserted", run.counts.inserted},
                              {"updated", run.counts.updated},
                              {"unchanged", run.counts.unchanged},
                              {"rejected", run.counts.quarantined},
                              {"duplicates", run.counts.duplicates},
                              {"withdrawn_by_rejected_rows", run.counts.withdrawn},
                              {"status_set_by_rejected_rows", run.counts.status_set},
                              {"ms", run.duration_ms},
                              {"error", run.error}});
  if (!status.ok()) return status.take_error();
  return run;
}

}  // namespace yici::ingest
