// RecordStore on a SQLite file (records.db under data_dir).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hub/store/record_store.h"
#include "hub/store/sqlite/database.h"

namespace yici::store::sqlite {

struct SqliteRecordStoreOptions {
  // Records withdrawn per transaction by withdraw_missing (and source keys stored per transaction
  // before it), so that other pulls commit in between and the write-ahead log stays small.
  std::int64_t withdraw_batch = 10'000;
  // Pull runs kept per source (the history the admin view and health read): older ones are
  // deleted as new ones are recorded. 10,000 is about a week of pulls every minute.
  std::int64_t pull_runs_kept = 10'000;
};

class SqliteRecordStore final : public RecordStore {
 public:
  static Result<std::unique_ptr<SqliteRecordStore>> open(const std::string& path,
                                                         const SqliteRecordStoreOptions& options = {});

  Result<UpsertCounts> upsert(std::span<const Record> records) override;
  Result<std::vector<Record>> find_by_subject(std::string_view dataset, std::string_view subject) override;
  Result<std::vector<EarlierVersion>> earlier_versions(const Record& record, std::int64_t below,
                                                       HistoryRead read) override;
  Result<std::int64_t> count(std::string_view dataset) override;
  Result<UpsertCounts> commit_batch(const BatchCommit& batch) override;
  Result<std::optional<std::string>> load_cursor(std::string_view source) override;
  Result<std::optional<PullProgress>> load_progress(std::string_view source) override;
  Result<std::optional<std::string>> source_department(std::string_view source) override;
  Result<std::map<std::string, std::int64_t>> count_by_status(std::string_view dataset,
                                                              std::string_view source) override;
  Status clear_cursor(std::string_view source) override;
  Status record_pull_run(const PullRun& run) override;
  Result<std::vector<PullRun>> recent_pull_runs(std::string_view source, int limit) override;
  Result<std::int64_t> quarantine_count(std::string_view source) override;
  Result<std::vector<QuarantineReason>> quarantine_reasons(std::string_view source, int limit) override;
  Result<std::vector<QuarantineEntry>> list_quarantine(std::string_view source, std::int64_t after_id,
                                                       int limit) override;
  Result<std::int64_t> withdraw_missing(std::string_view source,
                                        const std::function<Result<std::optional<std::string>>()>& next_key,
                                        const WithdrawCheck& check) override;

  [[nodiscard]] Database& database() { return *db_; }

 private:
  SqliteRecordStore(std::unique_ptr<Database> db, SqliteRecordStoreOptions options)
      : db_(std::move(db)), options_(options) {}
  // REQUIRES: a transaction is open on `w`.
  // `pull_first_id` set: the records come from one pull (commit_batch), so a record already stored
  // with their pulled_at came from an earlier row of the same pull, a key the source holds twice;
  // records with an id from *pull_first_id on were inserted by that pull.
  // Withdraws the record held for a quarantined row's key (QuarantinedRow::withdraws): a new
  // version, the old one kept in history. false when there is none, or it is withdrawn already.
  Result<bool> withdraw_key(Connection& w, const QuarantinedRow& q);
  // Gives the record held for a quarantined row's key the row's status (QuarantinedRow::status),
  // in a new version. false when there is none, it is withdrawn, or it has that status already.
  Result<bool> set_status_key(Connection& w, const QuarantinedRow& q);
  Status upsert_in(Connection& w, std::span<const Record> records, UpsertCounts& counts, bool clear_quarantine,
                   std::optional<std::int64_t> pull_first_id);
  // The first record id a pull (source, pulled_at) can have inserted: max(id) + 1 when its first
  // batch came. REQUIRES: the writer (pull_first_ids_ is only used under it).
  Result<std::int64_t> pull_first_id(Connection& w, const std::string& source, const std::string& pulled_at);
  std::map<std::string, std::pair<std::string, std::int64_t>, std::less<>> pull_first_ids_;
  // withdraw_missing once the key list is set up. REQUIRES: withdraw_mutex_ held.
  Result<std::int64_t> withdraw_vanished(std::string_view source,
                                         const std::function<Result<std::optional<std::string>>()>& next_key,
                                         const WithdrawCheck& check);
  std::unique_ptr<Database> db_;
  SqliteRecordStoreOptions options_;
  std::mutex withdraw_mutex_;
};

}  // namespace yici::store::sqlite
