#include "hub/store/sqlite/wal_checkpointer.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include <doctest/doctest.h>

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
  int restarts = 0;  // rounds that found a shorter log than the round before: it started again
  int last_frames = 0;
  int most_frames = 0;
  while (!done) {
    auto progress = checkpointer->checkpoint_now();
    REQUIRE(progress.ok());
    ++rounds;
    if (progress->log_frames < last_frames) ++restarts;
    last_frames = progress->log_frames;
    most_frames = std::max(most_frames, last_frames);
  }
  writer.join();
  REQUIRE(failed_commits == 0);
  INFO("checkpoint rounds during the writes: " << rounds << ", restarts seen: " << restarts
                                               << ", longest log: " << most_frames << " frames");
  // Without the writer-blocking last round the log is never wholly copied while commits keep
  // coming, so it seldom restarts and grows to about everything written (6,100 frames; measured
  // 6,119-6,123 with that round removed, 1,188-2,041 with it). How long it gets between restarts
  // depends on how the two threads are scheduled, so the bound sits between the two with room.
  CHECK(restarts >= 5);
  CHECK(most_frames < 4000);
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

}  // namespace
}  // namespace yici::store::sqlite
