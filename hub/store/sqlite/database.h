// One SQLite database file: a single writer connection (serialised by a mutex) and one read-only
// connection per thread, with versioned migrations applied at open.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hub/core/result.h"
#include "hub/store/sqlite/connection.h"

namespace yici::store::sqlite {

// Migrations are applied in order; migration i (0-based) brings PRAGMA user_version to i + 1.
// Released migrations are never edited: add a new one.
using Migrations = std::vector<const char*>;

class Database {
 public:
  // Opens or creates `path` and applies pending migrations in one transaction each.
  // Fails if the file is newer than this binary (user_version > migrations.size()).
  // `prepare`, if given, runs on the writer connection first (to register SQL functions that
  // migrations call).
  static Result<std::unique_ptr<Database>> open(const std::string& path, const Migrations& migrations,
                                                const std::function<Status(Connection&)>& prepare = {});
  ~Database();

  // Runs `fn` with the writer connection held exclusively.
  template <typename Fn>
  auto with_writer(Fn&& fn) {
    std::lock_guard lock(writer_mutex_);
    return fn(*writer_);
  }

  // This thread's read-only connection, opened on first use.
  Result<Connection*> reader();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int schema_version() const { return version_; }

 private:
  Database() = default;
  std::string path_;
  std::uint64_t instance_id_ = 0;
  int version_ = 0;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
};

}  // namespace yici::store::sqlite
