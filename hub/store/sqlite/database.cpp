#include "hub/store/sqlite/database.h"

#include <atomic>
#include <chrono>
#include <unordered_map>

#include "hub/core/log.h"

namespace yici::store::sqlite {
namespace {

std::atomic<std::uint64_t> g_next_instance{1};

// Per-thread readers, keyed by database instance id (never reused, so a destroyed database's
// connections are never handed to a new one).
struct ThreadReaders {
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> by_instance;
};
thread_local ThreadReaders t_readers;

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const Migrations& migrations,
                                                 const std::function<Status(Connection&)>& prepare) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  db->instance_id_ = g_next_instance++;
  YICI_TRY(db->writer_, Connection::open(path, Connection::Mode::kReadWrite));
  Connection& w = *db->writer_;
  if (prepare) YICI_TRY_STATUS(prepare(w));
  int version = 0;
  {
    // Finalised before the migrations run: DROP TABLE fails while any statement is still active.
    YICI_TRY(auto version_stmt, w.prepare("PRAGMA user_version"));
    YICI_TRY(bool has_row, version_stmt.step());
    if (has_row) version = static_cast<int>(version_stmt.column_int(0));
  }
  if (version > static_cast<int>(migrations.size())) {
    return Error::invalid(path + ": database schema version " + std::to_string(version) +
                          " is newer than this build knows (" + std::to_string(migrations.size()) +
                          "); run a newer yici-hub");
  }
  // Upgrading an existing file can take a while (re-keying a 10M-entry audit tree takes about a
  // minute and a half): say so, so that a slow start is not mistaken for a hang.
  const bool upgrading = version > 0 && version < static_cast<int>(migrations.size());
  const auto started = std::chrono::steady_clock::now();
  if (upgrading) {
    log::info("database_upgrade_started",
              {{"database", path}, {"from_version", version}, {"to_version", migrations.size()}});
  }
  for (auto i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
    YICI_TRY(auto tx, Transaction::begin(w));
    auto st = w.exec(migrations[i]);
    if (!st.ok()) return Error::internal(path + ": migration " + std::to_string(i + 1) + ": " + st.error().message);
    YICI_TRY_STATUS(w.exec("PRAGMA user_version = " + std::to_string(i + 1)));
    YICI_TRY_STATUS(tx.commit());
    version = static_cast<int>(i + 1);
  }
  db->version_ = version;
  if (upgrading) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    log::info("database_upgraded", {{"database", path}, {"version", version}, {"ms", ms}});
  }
  return db;
}

Database::~Database() = default;

Result<Connection*> Database::reader() {
  auto& slot = t_readers.by_instance[instance_id_];
  if (!slot) {
    YICI_TRY(slot, Connection::open(path_, Connection::Mode::kReadOnly));
  }
  return slot.get();
}

}  // namespace yici::store::sqlite
