// Copies one database's write-ahead log back into the database on a thread of its own, so that no
// commit pays for it.
//
// By default SQLite runs that copy inside whichever commit takes the log past wal_autocheckpoint
// pages. For audit.db that commit is a group commit that every waiting lookup depends on: each
// checkpoint (about a thousand pages, then an fsync of the database) stalled all of them for
// milliseconds (audit commit p99 3.7-5.9 ms with them, 2.6-3.6 ms without, same load). Here a
// PASSIVE checkpoint runs every `interval` from a connection of its own. PASSIVE never waits for
// the writer or for readers: it copies what no reader still needs.
//
// Under steady load a PASSIVE checkpoint never catches up: commits land while it copies, so the
// log is never wholly copied when the writer starts its next transaction, which is when SQLite
// restarts the log from the beginning. The log then grows without end (650 MiB in five seconds
// of benchmark lookups). So once the log holds `restart_frames` frames, PASSIVE rounds repeat
// until only a handful of frames is left, and a last round copies those while holding the
// writer off: the next commit then writes from the start of the file again. The writer's own
// automatic checkpoint moves to `writer_frames`, a safety net should this thread fall behind.
//
// What it cannot remove: the checkpoint's fsync of the database shares the disk with the
// commits' fsyncs of the log, and on a busy disk a commit can still wait behind one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "hub/core/result.h"
#include "hub/store/sqlite/database.h"

namespace yici::store::sqlite {

struct WalCheckpointOptions {
  std::chrono::milliseconds interval{25};
  int restart_frames = 4096;  // 16 MiB of 4 KiB pages
  int writer_frames = 16384;
  // After the log restarts, its file is truncated to this size (PRAGMA journal_size_limit), so
  // one burst of writes does not keep a large file for ever.
  std::int64_t keep_wal_bytes = std::int64_t{64} * 1024 * 1024;
};

// One checkpoint's outcome: frames in the log, and how many of them are now in the database
// (copied by this checkpoint or an earlier one).
struct CheckpointProgress {
  int log_frames = 0;
  int copied_frames = 0;
};

class WalCheckpointer {
 public:
  // Turns off `db`'s automatic checkpoints, opens the checkpointing connection and starts the
  // thread. REQUIRES: `db` outlives the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> start(Database& db, WalCheckpointOptions options = {});
  ~WalCheckpointer();  // stops the thread after a last checkpoint
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // One checkpoint round now, restarting the log when it is long (thread-safe; the thread calls
  // this too). The progress is the last PASSIVE pass's.
  Result<CheckpointProgress> checkpoint_now();
  // Copies the whole log into the database and truncates the log file to nothing (a TRUNCATE
  // checkpoint, the writer held off), so that no earlier page image stays in it: after data is
  // erased (audit subject retention), the log kept the erased values until overwritten. Waits up
  // to the busy timeout for readers of older snapshots; an error if one still holds the log.
  Status truncate_log();
  // The last checkpoint's progress (log frames, and how many are copied), for /metrics.
  [[nodiscard]] CheckpointProgress last_progress() const {
    return {last_log_frames_.load(), last_copied_frames_.load()};
  }
  // Checkpoint rounds that failed since start, for /metrics (the log says so once per failure run).
  [[nodiscard]] std::uint64_t failures() const { return failures_.load(); }

  // Test hook: the next rounds fail as if the disk did.
  void fail_for_test(bool fail) { fail_for_test_.store(fail); }

 private:
  WalCheckpointer(Database& db, WalCheckpointOptions options) : db_(db), options_(options) {}
  void run();
  Result<CheckpointProgress> checkpoint_rounds();  // under conn_mu_

  Database& db_;
  WalCheckpointOptions options_;
  std::unique_ptr<Connection> conn_;  // used under conn_mu_
  std::mutex conn_mu_;
  std::atomic<int> last_log_frames_{0};
  std::atomic<int> last_copied_frames_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> fail_for_test_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool failing_ = false;   // thread only: the last checkpoint failed (logged once per failure run)
  std::thread thread_;
};

}  // namespace yici::store::sqlite
