#include "hub/store/sqlite/wal_checkpointer.h"

#include <filesystem>

#include <sqlite3.h>

#include "hub/core/log.h"
#include "hub/core/thread_name.h"

namespace yici::store::sqlite {
namespace {

// Frames the last, writer-blocking round of a restart may have to copy.
constexpr int kLastRoundFrames = 64;

// fsyncs the file behind `op` (SQLITE_FCNTL_FILE_POINTER: the database, SQLITE_FCNTL_JOURNAL_POINTER:
// its write-ahead log) through SQLite's own handle: opening the file a second time and closing it
// would drop the process's POSIX locks on it (SQLite's documented pitfall).
Status sync_file(Connection& conn, int op, const std::string& what) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(conn.handle(), "main", op, static_cast<void*>(&file)) != SQLITE_OK || file == nullptr ||
      file->pMethods == nullptr) {
    return {};  // not open (an empty log): nothing to sync
  }
  if (file->pMethods->xSync(file, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
    return Error::io(what + ": fsync before the WAL restart failed");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(Database& db, WalCheckpointOptions options) {
  std::unique_ptr<WalCheckpointer> cp(new WalCheckpointer(db, options));
  YICI_TRY_STATUS(db.with_writer([&](Connection& w) -> Status {
    return w.exec("PRAGMA wal_autocheckpoint = " + std::to_string(options.writer_frames) +
                  "; PRAGMA journal_size_limit = " + std::to_string(options.keep_wal_bytes));
  }));
  YICI_TRY(cp->conn_, Connection::open(db.path(), Connection::Mode::kReadWrite));
  // "wal-audit", "wal-records": the database's file name without its directory and extension.
  std::string name = std::filesystem::path(db.path()).stem().string();
  cp->thread_ = std::thread([raw = cp.get(), name = "wal-" + name] {
    set_thread_name(name);
    raw->run();
  });
  return cp;
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // What the last commits wrote. Not essential: SQLite also checkpoints when the last connection
  // to the file closes.
  if (auto last = checkpoint_now(); !last.ok()) {
    log::warn("wal_checkpoint_failed", {{"database", db_.path()}, {"error", last.error().message}});
  }
}

Result<CheckpointProgress> WalCheckpointer::checkpoint_now() {
  std::lock_guard lock(conn_mu_);
  auto progress = checkpoint_rounds();
  if (!progress.ok()) failures_.fetch_add(1);
  return progress;
}

Result<CheckpointProgress> WalCheckpointer::checkpoint_rounds() {
  if (fail_for_test_.load()) return Error::io(db_.path() + ": WAL checkpoint failed: simulated (test)");
  CheckpointProgress progress;
  const auto passive = [&]() -> Status {
    const int rc = sqlite3_wal_checkpoint_v2(conn_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &progress.log_frames,
                                             &progress.copied_frames);
    // BUSY: another connection is checkpointing (an operator's sqlite3 shell, say); the next round
    // copies what this one could not.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      return Error::io(db_.path() + ": WAL checkpoint failed: " + conn_->last_error());
    }
    return {};
  };
  YICI_TRY_STATUS(passive());
  if (progress.log_frames >= options_.restart_frames) {
    // Catch up with the commits made while copying: each round copies only what the last one let
    // through, so a few rounds leave a handful of frames.
    for (int round = 0; round < 4 && progress.log_frames - progress.copied_frames > kLastRoundFrames; ++round) {
      YICI_TRY_STATUS(passive());
    }
    // The last round holds the writer off for that handful, so the log ends wholly copied and the
    // next commit restarts it from the beginning. Its fsync of the database would also write out
    // every page the rounds above copied (they ended before the log's end, so none of them synced
    // it): on a busy disk tens of milliseconds with every commit waiting (audit_commit_slow's
    // writer_wait_ms). So both files are synced first, without the writer; the last round then
    // syncs only its handful.
    YICI_TRY_STATUS(sync_file(*conn_, SQLITE_FCNTL_JOURNAL_POINTER, db_.path() + "-wal"));
    YICI_TRY_STATUS(sync_file(*conn_, SQLITE_FCNTL_FILE_POINTER, db_.path()));
    YICI_TRY_STATUS(db_.with_writer([&](Connection&) { return passive(); }));
  }
  last_log_frames_.store(progress.log_frames);
  last_copied_frames_.store(progress.copied_frames);
  return progress;
}

Status WalCheckpointer::truncate_log() {
  std::lock_guard lock(conn_mu_);
  return db_.with_writer([&](Connection&) -> Status {
    int log_frames = 0;
    int copied_frames = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(conn_->handle(), "main", SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &copied_frames);
    if (rc == SQLITE_BUSY) {
      return Error::unavailable(db_.path() + ": the write-ahead log could not be truncated: a reader holds it");
    }
    if (rc != SQLITE_OK) return Error::io(db_.path() + ": WAL checkpoint failed: " + conn_->last_error());
    last_log_frames_.store(0);
    last_copied_frames_.store(0);
    return {};
  });
}

void WalCheckpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, options_.interval, [&] { return stopping_; })) return;
    }
    auto progress = checkpoint_now();
    if (!progress.ok()) {
      if (!failing_) {
        log::error("wal_checkpoint_failed",
                   {{"database", db_.path()},
                    {"error", progress.error().message},
                    {"action", "the write-ahead log grows until this is fixed; check disk space and permissions"}});
      }
      failing_ = true;
      continue;
    }
    if (failing_) log::info("wal_checkpoint_recovered", {{"database", db_.path()}});
    failing_ = false;
  }
}

}  // namespace yici::store::sqlite
