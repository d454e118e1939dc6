#include "hub/store/sqlite/wal_checkpointer.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include "tests/support/temp_dir.h"

namespace yici::store::sqlite {
namespace {

const Migrations kSchema = {"CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"};

Status insert_rows(Database& db, int rows) {
  return db.with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto tx, Transaction::begin(w));
    YICI_TRY(Statement * ins, w.cached("INSERT INTO t (payload) VALUES (zeroblob(1000))"));
    for (int i = 0; i < rows; ++i) {
      YICI_TRY_STATUS(ins->run());
      ins->reset();
    }
    return tx.commit();
  });
}

// Rows in a copy of the database file alone: what has been checkpointed, not what sits in the log.
std::int64_t rows_in_file_copy(const test::TempDir& dir, const std::string& path) {
  const std::string copy = dir.file("copy.db");
  std::filesystem::remove(copy);
  std::filesystem::copy_file(path, copy);
  auto conn = Connection::open(copy, Connection::Mode::kReadOnly).value();
  auto count = conn->prepare("SELECT count(*) FROM t").value();
  REQUIRE(count.step().value());
  return count.column_int(0);
}

std::int64_t writer_pragma(Database& db, const char* pragma) {
  return db.with_writer([&](Connection& w) -> std::int64_t {
    auto stmt = w.prepare(std::string("PRAGMA ") + pragma).value();
    REQUIRE(stmt.step().value());
    return stmt.column_int(0);
  });
}

// While it exists, every database opened goes through a VFS that counts the fsyncs of main
// database files and of their write-ahead logs, and passes everything on to the default VFS.
class CountSyncs {
 public:
  CountSyncs() : real_(sqlite3_vfs_find(nullptr)) {
    vfs_ = *real_;
    vfs_.zName = "count-database-syncs";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &CountSyncs::open;
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
  }
  ~CountSyncs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
  }
  CountSyncs(const CountSyncs&) = delete;
  CountSyncs& operator=(const CountSyncs&) = delete;
  [[nodiscard]] int database_syncs() const { return database_syncs_.load(); }
  [[nodiscard]] int log_syncs() const { return log_syncs_.load(); }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;  // placed right after this struct, in the same allocation
    CountSyncs* owner;
    std::atomic<int>* counter;  // the owner's counter for this kind of file; null: not counted
  };
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }
  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* self = static_cast<CountSyncs*>(vfs->pAppData);
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->owner = self;
    file->counter = (flags & SQLITE_OPEN_MAIN_DB) != 0 ? &self->database_syncs_
                    : (flags & SQLITE_OPEN_WAL) != 0   ? &self->log_syncs_
                                                       : nullptr;
    const int rc = self->real_->xOpen(self->real_, name, file->real, flags, out_flags);
    file->base.pMethods = (rc == SQLITE_OK && file->real->pMethods != nullptr) ? &kMethods : nullptr;
    return rc;
  }
  static int sync(sqlite3_file* f, int flags) {
    auto* file = reinterpret_cast<File*>(f);
    if (file->counter != nullptr) file->counter->fetch_add(1);
    return real(f)->pMethods->xSync(real(f), flags);
  }
  static constexpr sqlite3_io_methods kMethods = {
      3,
      [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); },
      [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), b, n, o); },
      [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
        return real(f)->pMethods->xWrite(real(f), b, n, o);
      },
      [](sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); },
      &CountSyncs::sync,
      [](sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); },
      [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); },
      [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); },
      [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); },
      [](sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); },
      [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); },
      [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); },
      [](sqlite3_file* f, int pg, int sz, int ext, void volatile** p) {
        return real(f)->pMethods->xShmMap(real(f), pg, sz, ext, p);
      },
      [](sqlite3_file* f, int off, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), off, n, fl); },
      [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); },
      [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); },
      [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real(f)->pMethods->xFetch(real(f), o, n, p); },
      [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); },
  };
  sqlite3_vfs* real_;
  sqlite3_vfs vfs_{};
  std::atomic<int> database_syncs_{0};
  std::atomic<int> log_syncs_{0};
};

// A database with a checkpointer that runs only when the test calls checkpoint_now().
struct Checkpointed {
  test::TempDir dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<WalCheckpointer> checkpointer;
  explicit Checkpointed(WalCheckpointOptions options = {}) {
    options.interval = std::chrono::hours(1);
    db = Database::open(dir.file("a.db"), kSchema).value();
    checkpointer = WalCheckpointer::start(*db, options).value();
  }
  [[nodiscard]] std::int64_t rows_in_file() const { return rows_in_file_copy(dir, db->path()); }
};

TEST_CASE("WAL checkpointer: commits reach the database file from its thread, not from the writer") {
  Checkpointed t;
  auto& db = t.db;
  auto& checkpointer = t.checkpointer;
  const WalCheckpointOptions defaults;
  CHECK(writer_pragma(*db, "wal_autocheckpoint") == defaults.writer_frames);
  CHECK(writer_pragma(*db, "journal_size_limit") == defaults.keep_wal_bytes);
  REQUIRE(checkpointer->checkpoint_now().ok());  // the table itself

  for (int i = 0; i < 20; ++i) REQUIRE(insert_rows(*db, 10).ok());
  // Committed, but still only in the log: the writer did not checkpoint on its own.
  CHECK(t.rows_in_file() == 0);

  auto progress = checkpointer->checkpoint_now();
  REQUIRE(progress.ok());
  CHECK(progress->log_frames > 0);
  CHECK(progress->copied_frames == progress->log_frames);
  CHECK(t.rows_in_file() == 200);
  CHECK(checkpointer->last_progress().log_frames == progress->log_frames);
  CHECK(checkpointer->last_progress().copied_frames == progress->copied_frames);
}

TEST_CASE("WAL checkpointer: truncating the log copies everything and leaves the log file empty") {
  Checkpointed t;
  auto& db = t.db;
  for (int i = 0; i < 20; ++i) REQUIRE(insert_rows(*db, 10).ok());
  const std::string wal = db->path() + "-wal";
  REQUIRE(std::filesystem::file_size(wal) > 0);  // 200 rows' pages, and the table's
  REQUIRE(t.checkpointer->truncate_log().ok());
  // No page image is left in the log (erased data kept its old images there), all is in the file.
  CHECK(std::filesystem::file_size(wal) == 0);
  CHECK(t.rows_in_file() == 200);
  // Commits go on as before.
  REQUIRE(insert_rows(*db, 10).ok());
  REQUIRE(t.checkpointer->checkpoint_now().ok());
  CHECK(t.rows_in_file() == 210);
}

TEST_CASE("WAL checkpointer: an open reader delays the copy of newer frames but blocks no commit") {
  Checkpointed t;
  auto& db = t.db;
  auto& checkpointer = t.checkpointer;
  REQUIRE(insert_rows(*db, 10).ok());

  auto reader = Connection::open(db->path(), Connection::Mode::kReadOnly).value();
  REQUIRE(reader->exec("BEGIN").ok());
  auto count = reader->prepare("SELECT count(*) FROM t").value();
  REQUIRE(count.step().value());
  CHECK(count.column_int(0) == 10);  // the reader's snapshot is now pinned

  REQUIRE(insert_rows(*db, 10).ok());
  auto progress = checkpointer->checkpoint_now();
  REQUIRE(progress.ok());
  CHECK(progress->copied_frames < progress->log_frames);  // the frames the reader does not see yet wait
  REQUIRE(insert_rows(*db, 10).ok());                     // and the writer is not held up

  count.reset();
  REQUIRE(reader->exec("COMMIT").ok());
  progress = checkpointer->checkpoint_now();
  REQUIRE(progress.ok());
  CHECK(progress->copied_frames == progress->log_frames);
  CHECK(t.rows_in_file() == 30);
}

TEST_CASE("WAL checkpointer: under steady writes the log restarts instead of growing without end") {
  WalCheckpointOptions options;
  options.restart_frames = 128;
  options.keep_wal_bytes = std::int64_t{256} * 1024;
  Checkpointed t(options);
  auto& db = t.db;
  auto& checkpointer = t.checkpointer;

  // A writer commits without pause (about 12 MB of log in all) while checkpoints run beside it.
  std::atomic<bool> done{false};
  std::atomic<int> failed_commits{0};
  std::thread writer([&] {
    for (int i = 0; i < 1500; ++i) {
      if (!insert_rows(*db, 8).ok()) ++failed_commits;
    }
    done = true;
  });
  int rounds = 0;
  int long_rounds = 0;    // rounds that found the log at restart_frames or more
  int partly_copied = 0;  // of those, rounds that left frames uncopied at the log's end
  int restarts = 0;       // rounds that found a shorter log than the round before: it started again
  int last_frames = 0;
  int most_frames = 0;
  while (!done) {
    auto progress = checkpointer->checkpoint_now();
    REQUIRE(progress.ok());
    ++rounds;
    if (progress->log_frames >= options.restart_frames) {
      ++long_rounds;
      if (progress->copied_frames != progress->log_frames) ++partly_copied;
    }
    if (progress->log_frames < last_frames) ++restarts;
    last_frames = progress->log_frames;
    most_frames = std::max(most_frames, last_frames);
  }
  writer.join();
  REQUIRE(failed_commits == 0);
  INFO("checkpoint rounds during the writes: " << rounds << " (" << long_rounds << " over restart_frames, "
                                               << partly_copied << " of them partly copied), restarts seen: "
                                               << restarts << ", longest log: " << most_frames << " frames");
  // Without the writer-blocking last round the log is never wholly copied while commits keep
  // coming, so it seldom restarts and grows to about everything written (6,100 frames). How long
  // it gets between restarts depends on how the threads are scheduled on a busy machine (1,200 to
  // 5,800 frames seen with that round), so what is checked is what the round guarantees: a round
  // over restart_frames ends with the whole log copied, and the next commit starts it again.
  CHECK(long_rounds >= 2);
  CHECK(partly_copied == 0);
  CHECK(restarts >= 2);
  REQUIRE(checkpointer->checkpoint_now().ok());
  CHECK(t.rows_in_file() == 1500 * 8);
}

TEST_CASE("WAL checkpointer: failed rounds are counted, commits go on, and the next good round catches up") {
  Checkpointed c;
  REQUIRE(insert_rows(*c.db, 10).ok());
  REQUIRE(c.checkpointer->checkpoint_now().ok());
  CHECK(c.rows_in_file() == 10);
  c.checkpointer->fail_for_test(true);
  REQUIRE(insert_rows(*c.db, 10).ok());
  for (int i = 0; i < 3; ++i) CHECK_FALSE(c.checkpointer->checkpoint_now().ok());
  CHECK(c.checkpointer->failures() == 3);
  REQUIRE(insert_rows(*c.db, 10).ok());  // the writer is not held up by a failing checkpointer
  CHECK(c.rows_in_file() == 10);
  c.checkpointer->fail_for_test(false);
  auto progress = c.checkpointer->checkpoint_now();
  REQUIRE(progress.ok());
  CHECK(progress->copied_frames == progress->log_frames);
  CHECK(c.rows_in_file() == 30);
  CHECK(c.checkpointer->failures() == 3);
}

TEST_CASE("WAL checkpointer: before the round that holds the writer, the database and its log are synced") {
  // The rounds of a restart that end before the log's end do not sync the database; the last,
  // writer-holding round would then sync everything they copied while every commit waits.
  CountSyncs syncs;
  WalCheckpointOptions options;
  options.restart_frames = 16;
  Checkpointed t(options);
  auto& db = t.db;
  REQUIRE(t.checkpointer->checkpoint_now().ok());
  REQUIRE(insert_rows(*db, 40).ok());
  // A reader pinned half-way: no round can copy the log to its end.
  auto reader = Connection::open(db->path(), Connection::Mode::kReadOnly).value();
  REQUIRE(reader->exec("BEGIN").ok());
  auto count = reader->prepare("SELECT count(*) FROM t").value();
  REQUIRE(count.step().value());
  REQUIRE(insert_rows(*db, 40).ok());
  // Copies up to the reader. The next rounds find nothing they may copy, so SQLite syncs neither
  // file in them: every sync counted below is the checkpointer's own.
  REQUIRE(t.checkpointer->checkpoint_now().ok());
  const int database_before = syncs.database_syncs();
  const int log_before = syncs.log_syncs();

  std::thread checkpoint;
  int database_synced = 0;
  int log_synced = 0;
  const Status held = db->with_writer([&](Connection&) {
    checkpoint = std::thread([&] { CHECK(t.checkpointer->checkpoint_now().ok()); });
    // The checkpointer's rounds run, then it waits here for the writer.
    for (int i = 0; i < 500 && (syncs.database_syncs() == database_before || syncs.log_syncs() == log_before); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    database_synced = syncs.database_syncs() - database_before;
    log_synced = syncs.log_syncs() - log_before;
    return Status();
  });
  checkpoint.join();
  REQUIRE(held.ok());
  CHECK(database_synced == 1);
  CHECK(log_synced == 1);

  count.reset();
  REQUIRE(reader->exec("COMMIT").ok());
  REQUIRE(t.checkpointer->checkpoint_now().ok());
  CHECK(t.rows_in_file() == 80);
}

}  // namespace
}  // namespace yici::store::sqlite
