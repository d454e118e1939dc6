#include "hub/store/data_dir_lock.h"

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::store {
namespace {

TEST_CASE("data_dir lock: one holder at a time, the refusal names the holder, released when dropped") {
  test::TempDir dir;
  auto first = DataDirLock::acquire(dir.path().string());
  REQUIRE(first.ok());
  const auto second = DataDirLock::acquire(dir.path().string());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK(second.error().message.find("is in use by another yici-hub (pid " + std::to_string(::getpid()) + ")") !=
        std::string::npos);
  { const DataDirLock dropped = std::move(*first); }
  CHECK(DataDirLock::acquire(dir.path().string()).ok());
}

TEST_CASE("data_dir lock: a holder killed with SIGKILL leaves no stale lock") {
  test::TempDir dir;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto held = DataDirLock::acquire(dir.path().string());
    const char c = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  const auto refused = DataDirLock::acquire(dir.path().string());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("(pid " + std::to_string(child) + ")") != std::string::npos);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(DataDirLock::acquire(dir.path().string()).ok());
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("data_dir lock: a directory that cannot hold the lock file is an I/O error naming it") {
  test::TempDir dir;
  const auto missing = DataDirLock::acquire(dir.file("no/such/dir"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
  CHECK(missing.error().message.find("no/such/dir/hub.lock") != std::string::npos);
}

}  // namespace
}  // namespace yici::store
