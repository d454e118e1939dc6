// The audit log: every access (allowed or refused) and every administrative change, as entries of
// an RFC 9162 Merkle tree stored in audit.db (audit_entry.h, merkle_tree.h).
//
// Durable before the response: append() returns only once the entry and the tree nodes it
// creates are committed. Concurrent appends share commits (group commit): callers queue their
// entries and one committer thread writes everything queued in one transaction, then wakes them.
// If a commit fails, every entry queued at that moment fails and the next index falls back to the
// committed size: indexes stay dense, the caller answers 503 (fail closed).
//
// Body rendering happens under the queue lock because a body names its own index; rendering is
// microseconds, the commit (fsync) is what is shared.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "hub/api/commit_deferral.h"
#include "hub/api/lookup_services.h"
#include "hub/audit/audit_entry.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/merkle_tree.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/core/log_throttle.h"
#include "hub/core/periodic_task.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

struct AuditLogOptions {
  std::size_t max_group = 1024;  // entries per transaction at most
  // Called on the committer thread after each successful commit with its duration, from the
  // transaction's start to the log's fsync: the least time any lookup in the group waited.
  std::function<void(double seconds)> on_commit;
  // A commit that takes longer is logged (audit_commit_slow, at most one line per slow_commit_every,
  // with how many there were), its time split into the parts an operator can act on.
  std::chrono::milliseconds slow_commit{100};
  std::chrono::seconds slow_commit_every{10};
};

// When to sign a checkpoint: after `every` new entries, or `interval` after the last one when
// entries were added since, and at shutdown.
struct CheckpointPolicy {
  std::string log_id;
  std::function<std::shared_ptr<const sign::KeyRing>()> keys;  // may return null: no checkpoint then
  std::uint64_t every = 1000;
  std::chrono::milliseconds interval{60'000};
  // Called on the committer thread with each checkpoint once it is stored (the hub keeps its
  // high-water mark outside audit.db: high_water.h).
  std::function<void(const Checkpoint&)> on_stored;
};

class AuditLog final : public api::AuditSink {
 public:
  // REQUIRES: `db` has kAuditMigrations applied and outlives the log.
  static Result<std::unique_ptr<AuditLog>> open(store::sqlite::Database& db, const std::string& hmac_key,
                                                AuditLogOptions options = {});
  ~AuditLog() override;  // drains the queue, stops the committer
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  Result<std::string> append(const api::AuditEvent& event,
                             const std::function<std::string(std::int64_t)>& render) override;
  Result<std::string> append_many(const std::vector<api::AuditEvent>& events,
                                  const std::function<std::string(std::int64_t)>& render) override;

  [[nodiscard]] std::uint64_t size() const { return tree_->size(); }
  [[nodiscard]] const MerkleTree& tree() const { return *tree_; }
  // The HMACs an entry for `subject` in `dataset` may carry: of the subject's key (subject_key.h)
  // and, when that differs, of the subject as written (entries from before session 22).
  [[nodiscard]] std::vector<std::string> subject_hmacs_of(const std::string& dataset, const std::string& subject) const;
  // Transactions committed and entries written since open (group commit shows as entries > commits).
  [[nodiscard]] std::uint64_t commits() const { return commits_.load(); }
  // Commits that failed since start (their entries were refused: the requests got 503).
  [[nodiscard]] std::uint64_t commit_failures() const { return commit_failures_.load(); }
  [[nodiscard]] std::uint64_t entries_written() const { return entries_written_.load(); }
  // The latest commit failed (disk full, permissions): until one succeeds, accesses answer 503.
  [[nodiscard]] bool failing() const { return failing_.load(); }

  // Starts signing checkpoints (checkpoint.h) from the committer thread.
  void set_checkpoint_policy(CheckpointPolicy policy);

  // Test hook: the next commits fail as if the disk did.
  void fail_commits_for_test(bool fail) { fail_for_test_.store(fail); }

 private:
  struct Pending {
    std::vector<AuditEntry> entries;
    std::string body;
    std::promise<Status> done;
    std::shared_ptr<api::CommitDeferral> deferral;  // set: the server waits for the commit, not the caller
    void complete(const Status& status) {
      if (deferral) deferral->done(status);
      done.set_value(status);
    }
  };
  AuditLog(store::sqlite::Database& db, const std::string& key, AuditLogOptions options);
  Result<std::string> enqueue(const std::vector<api::AuditEvent>& events,
                              const std::function<std::string(std::int64_t)>& render);
  void committer();
  // Commits a row of its own (log_info write_probe) to learn whether audit.db takes writes: while
  // commits fail, a load balancer sends no requests to a hub that is not ready, so nothing else
  // would find out that the disk was freed. Committer thread only (and open(), before it starts).
  Status probe_write();
  void recover_if_writable();         // committer thread only
  void maybe_checkpoint(bool force);  // committer thread only
  // Adds committed entries to the subject index (subject_index.h) when enough wait or enough time
  // has passed; `all`: until it has every entry (at shutdown). Committer thread only.
  void maybe_index_subjects(bool all);
  // Merges the subject index's buckets into spans (subject_index_merge.h), steps for up to
  // kSubjectMergeRun each time merger_ runs it.
  void merge_subjects();
  [[nodiscard]] bool subject_index_behind() const {
    return static_cast<std::int64_t>(tree_->size()) > subject_index_upto_;
  }
  Status write(std::vector<std::unique_ptr<Pending>>& group);

  store::sqlite::Database& db_;
  HmacSha256 subject_key_;  // the HMAC key for subjects (hmac_key.h), prepared once
  AuditLogOptions options_;
  SqliteNodeStore nodes_;
  std::unique_ptr<MerkleTree> tree_;

  // When one commit reached each step, for audit_commit_slow.
  struct CommitTimes {
    std::chrono::steady_clock::time_point asked, locked, begun, written, committed;
  };
  void note_if_slow(const CommitTimes& times, std::size_t entries);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Pending>> queue_;
  std::uint64_t next_index_ = 0;  // guarded by mu_: committed size + entries queued
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> commit_failures_{0};
  std::atomic<std::uint64_t> entries_written_{0};
  std::atomic<bool> fail_for_test_{false};
  std::atomic<bool> failing_{false};
  // While commits fail, how often the committer probes whether audit.db takes writes again.
  static constexpr std::chrono::milliseconds kWriteProbeEvery{2000};
  std::uint64_t failed_commits_ = 0;                // committer thread only
  std::unordered_set<std::string> datasets_known_;  // in audit_datasets; committer thread only (after open)
  std::chrono::steady_clock::time_point last_failure_log_{};
  log::Throttle slow_log_{1, options_.slow_commit_every};  // audit_commit_slow lines
  std::int64_t subject_index_upto_ = 0;                    // committer thread only (after open)
  std::chrono::steady_clock::time_point subject_indexed_at_{};
  // A background step's failures (subject index, merge): counted, logged when they start and then
  // at most once a minute, and the success that ends them once.
  struct StepFailures {
    std::uint64_t count = 0;
    std::chrono::steady_clock::time_point logged{};
    // Counts a failure; whether to log it.
    bool failed(std::chrono::steady_clock::time_point now) {
      if (++count > 1 && now - logged < std::chrono::minutes(1)) return false;
      logged = now;
      return true;
    }
    // The failures a success ends (0: none, nothing to log).
    std::uint64_t succeeded() { return std::exchange(count, 0); }
  };
  StepFailures subject_index_failures_;  // committer thread only
  StepFailures merge_failures_;          // merger_'s thread only
  CheckpointPolicy checkpoints_;         // guarded by mu_ until the committer copies it
  bool checkpointing_ = false;
  std::uint64_t last_checkpoint_size_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_at_ = std::chrono::steady_clock::now();
  std::thread thread_;
  std::unique_ptr<PeriodicTask> merger_;  // merge_subjects(), every kSubjectIndexEvery
};

}  // namespace yici::audit
