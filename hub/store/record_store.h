// The record store: normalised records keyed by (dataset, source, source key), found by
// (dataset, subject). An interface, so the SQLite backend (embedded default) and a PostgreSQL
// backend (several hub nodes sharing state) are interchangeable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/core/result.h"

namespace yici::store {

struct Record {
  std::string dataset;           // population, legal_entity, e_license, credit
  std::string subject;           // the dataset's subject field value (ID number, credit code, ...)
  std::string source;            // source id that supplied it
  std::string source_key;        // the row's primary key in the source, canonical text form
  std::int64_t version = 0;      // 1 on insert, +1 on every content change (set by the store)
  std::string content_hash;      // lowercase hex SHA-256 of fields_json (computed by the store if empty)
  std::string pulled_at;         // RFC 3339 UTC
  std::string status = "valid";  // valid, expired, revoked, suspended, withdrawn, ...
  std::string fields_json;       // normalised fields as a JSON object
};

// What the history keeps of one of a record's earlier versions.
struct EarlierVersion {
  std::int64_t version = 0;
  std::string status;
  std::string fields_json;
  // The fields the next version changed (changed_fields.h's list); nullopt when not known.
  std::optional<std::string> changed;
};

enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };

struct UpsertCounts {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t quarantined = 0;
  // commit_batch only: rows whose key an earlier row of the same pull (same pulled_at) already
  // had, with other content: not stored.
  std::int64_t duplicates = 0;
  // commit_batch only: records withdrawn by a quarantined row (QuarantinedRow::withdraws).
  std::int64_t withdrawn = 0;
  // commit_batch only: records given a status by a quarantined row (QuarantinedRow::status).
  std::int64_t status_set = 0;
};

// A source row that failed normalisation, kept with its reasons until a later pull brings a good
// version of it (then it leaves quarantine).
struct QuarantinedRow {
  std::string dataset;
  std::string source;
  std::string source_key;
  std::string row_json;     // the source row as read (field → raw value, each its first 1 KiB and length)
  std::string errors_json;  // [{"field","code","message"}, ...]
  std::string seen_at;      // RFC 3339
  std::string place;        // where the row is in its source ("FILE:LINE" for CSV), or empty
  // The source's status column marks the row withdrawn: the record already held for its key (if
  // any) is withdrawn too, though the row itself did not pass (a deregistration often blanks the
  // fields the schema requires). Without this, the last good version stayed served as valid.
  bool withdraws = false;
  // The row's status field, checked on its own, holds a status the schema lets a rejected row set
  // (status_from_rejected_rows: revoked, say): the record held for its key takes it, in its
  // `status` and in its fields' `status_field`. Empty: none.
  std::string status_field;
  std::string status;
  // Where the row stands among the batch's records: after the first `records_before` of them, so a
  // key read twice in one batch ends as its later row says.
  std::size_t records_before = 0;
};

// A quarantine entry as an administrator lists it.
struct QuarantineEntry {
  std::int64_t id = 0;  // paging cursor: entries come in id order
  std::string source_key;
  std::string row_json;
  std::string errors_json;
  std::string first_seen;
  std::string last_seen;
  std::string place;  // QuarantinedRow::place
};

// How many of a source's quarantined rows share one reason: a field (empty for a row-level
// problem such as bad_row or missing_key) and a code. A row with two problems counts under each.
struct QuarantineReason {
  std::string field;
  std::string code;
  std::int64_t rows = 0;
};

// Where an unfinished full pull stands, for a source whose adapter reads in key order: the next
// full pull goes on after `resume_after` (the adapter's token for the last committed row) instead
// of starting again, and saves `cursor` as the source's cursor when it ends.
struct PullProgress {
  std::string resume_after;
  std::optional<std::string> cursor;  // the highest cursor value the pull's first read saw
};

// One batch of a pull: its records, its rejected rows and the cursor that covers them, committed
// atomically, so a crash never loses or doubles a row.
struct BatchCommit {
  std::string source;
  std::span<const Record> records;
  std::span<const QuarantinedRow> quarantined;
  std::optional<std::string> cursor;     // the source's new cursor value; nullopt: unchanged
  std::optional<PullProgress> progress;  // a full pull's position after this batch; nullopt: unchanged
  bool clear_progress = false;           // the pull ends with this batch: forget its position
  // Set on the last batch of a full read done in one go (not resumed): quarantine entries of the
  // source last seen before this time (the pull's start) are no longer in the source (fixed, or
  // gone) and leave the quarantine.
  std::optional<std::string> quarantine_unseen_before;
  // The source's department, remembered so that provenance still names it once the source has
  // been removed and its records are kept; empty: leave what is remembered.
  std::string department;
};

// A finished (or failed) pull, for history and health.
struct PullRun {
  std::string source;
  std::string started_at;
  std::string finished_at;
  // full, incremental, resumed (a full pull going on after an interrupted one), or reconcile (a
  // key reconciliation: rows_read counts the keys listed)
  std::string mode;
  std::int64_t rows_read = 0;
  UpsertCounts counts;  // kept in the history: inserted, updated, unchanged, quarantined, duplicates
  std::int64_t duration_ms = 0;
  std::string error;  // empty on success
  // What a steward should know of a pull that did not fail: its listing moved while read (the
  // cursor kept), keys repeated with other content, cursor values skipped. One line each.
  std::vector<std::string> warnings;
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Inserts or updates by (dataset, source, source_key). A record whose content hash and status
  // are unchanged is not rewritten (its pulled_at is refreshed). A changed one gets version + 1 and
  // the previous version is kept in history. All records of a call commit in one transaction.
  virtual Result<UpsertCounts> upsert(std::span<const Record> records) = 0;

  // Current records of one subject, newest first. Safe to call from any thread concurrently.
  virtual Result<std::vector<Record>> find_by_subject(std::string_view dataset, std::string_view subject) = 0;

  // The versions of the record (dataset, source, source_key) below `below` that its history
  // keeps, oldest first; none for a record of version 1, without a read. With kChanges, each
  // version's fields_json is left empty (a few hundred bytes a version not copied). Safe from any
  // thread.
  enum class HistoryRead { kChanges, kFields };
  virtual Result<std::vector<EarlierVersion>> earlier_versions(const Record& record, std::int64_t below,
                                                               HistoryRead read) = 0;

  virtual Result<std::int64_t> count(std::string_view dataset) = 0;

  // Upserts the batch's records (as upsert()), stores its quarantined rows, removes rows that are
  // good now from quarantine, and saves the cursor: all in one transaction.
  virtual Result<UpsertCounts> commit_batch(const BatchCommit& batch) = 0;
  virtual Result<std::optional<std::string>> load_cursor(std::string_view source) = 0;
  // An unfinished full pull's position (see PullProgress), or nullopt.
  virtual Result<std::optional<PullProgress>> load_progress(std::string_view source) = 0;
  // The department named by the source's last committed batch (BatchCommit::department), or
  // nullopt: what provenance shows for records of a source that is no longer registered.
  virtual Result<std::optional<std::string>> source_department(std::string_view source) = 0;
  virtual Status record_pull_run(const PullRun& run) = 0;
  // Newest first.
  virtual Result<std::vector<PullRun>> recent_pull_runs(std::string_view source, int limit) = 0;
  virtual Result<std::int64_t> quarantine_count(std::string_view source) = 0;
  // The source's quarantine by reason, most rows first, at most `limit` reasons. Counted as rows
  // enter and leave the quarantine, so asking reads a few rows, however large the quarantine.
  virtual Result<std::vector<QuarantineReason>> quarantine_reasons(std::string_view source, int limit) = 0;
  // Up to `limit` entries of a source with id > `after_id`, in id order.
  virtual Result<std::vector<QuarantineEntry>> list_quarantine(std::string_view source, std::int64_t after_id,
                                                               int limit) = 0;

  // Records of one source by status ({"valid": 10, "withdrawn": 2, ...}).
  virtual Result<std::map<std::string, std::int64_t>> count_by_status(std::string_view dataset,
                                                                      std::string_view source) = 0;
  // Forgets a source's cursor and any unfinished full pull's position, so its next pull reads
  // everything from the start (after its definition changed).
  virtual Status clear_cursor(std::string_view source) = 0;

  // Key reconciliation: `next_key` yields every key the source holds now (nullopt at the end).
  // Records of the source whose key is not among them become `withdrawn` (a new version), and
  // quarantine entries for vanished keys are dropped. Returns how many records were withdrawn.
  // Memory stays flat: the keys go to a temporary table, not into RAM. All keys are read before
  // anything is withdrawn, so an error from `next_key` withdraws nothing; `next_key` is not called
  // with the store's writer held. The withdrawals may commit in several transactions: after a
  // failure part way, some records are withdrawn and calling again withdraws the rest.
  // `check`, when given, is asked once every key is read and before anything is withdrawn, with
  // how many of the source's current records would go and how many it has: an error from it
  // withdraws nothing and is returned. It may answer kListAgain: `next_key` is then called again
  // until it ends, a key from either listing counts as held, and `check` is asked again with the
  // new counts (a listing that is not a snapshot confirms its vanished keys with a second one).
  enum class WithdrawDecision { kWithdraw, kListAgain };
  using WithdrawCheck = std::function<Result<WithdrawDecision>(std::int64_t vanishing, std::int64_t current)>;
  virtual Result<std::int64_t> withdraw_missing(std::string_view source,
                                                const std::function<Result<std::optional<std::string>>()>& next_key,
                                                const WithdrawCheck& check) = 0;
};

}  // namespace yici::store
