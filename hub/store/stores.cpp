#include "hub/store/stores.h"

#include <filesystem>
#include <system_error>

#include "hub/audit/audit_entry.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/audit/subject_index.h"
#include "hub/core/ids.h"
#include "hub/store/source_catalog.h"
#include "hub/store/sqlite/sqlite_record_store.h"

namespace yici::store {
namespace {

const sqlite::Migrations kMetaMigrations = {
    R"sql(
CREATE TABLE hub_info (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    kSourceCatalogMigration,
    kSourceRetirementMigration,
};

// The audit log (hub/audit/audit_log.h): its entries and the Merkle tree nodes that commit to them
// live in one file so that both are written in one transaction.
const sqlite::Migrations kAuditMigrations = {
    R"sql(
CREATE TABLE log_info (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    audit::kAuditEntryMigration,
    audit::kMerkleMigrations[0],
    audit::kMerkleMigrations[1],
    audit::kAuditDatasetsMigration,
    audit::kSubjectIndexMigration,
    audit::kSubjectSpansMigration,
};

// The value under `key` in a key/value table (hub_info, log_info), or `initial` stored there first.
// `table` is one of this file's table names, never outside input.
Result<std::string> value_or_store(sqlite::Database& db, const std::string& table, const std::string& key,
                                   const std::string& initial) {
  return db.with_writer([&](sqlite::Connection& w) -> Result<std::string> {
    YICI_TRY(auto tx, sqlite::Transaction::begin(w));
    YICI_TRY(auto sel, w.prepare("SELECT value FROM " + table + " WHERE key = ?1"));
    sel.bind(1, key);
    YICI_TRY(bool found, sel.step());
    std::string value = found ? std::string(sel.column_text(0)) : initial;
    if (!found) {
      YICI_TRY(auto ins, w.prepare("INSERT INTO " + table + " (key, value) VALUES (?1, ?2)"));
      ins.bind(1, key).bind(2, value);
      YICI_TRY_STATUS(ins.run());
    }
    YICI_TRY_STATUS(tx.commit());
    return value;
  });
}

}  // namespace

Result<Stores> Stores::open(const std::string& data_dir, const StoreOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Error::io(data_dir + ": cannot create data directory: " + ec.message());
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  const fs::path dir(data_dir);
  Stores stores;
  YICI_TRY(auto lock, DataDirLock::acquire(data_dir));
  stores.lock = std::make_unique<DataDirLock>(std::move(lock));
  // Looked at before anything is created. A first start makes audit.db before meta.db, so a
  // meta.db without an audit.db is a directory whose audit log went missing.
  const bool had_audit = fs::exists(dir / "audit.db", ec);
  const bool used_before = fs::exists(dir / "meta.db", ec);
  if (!had_audit && used_before && !options.new_audit_log) {
    return Error::invalid(
        (dir / "audit.db").string() +
        " is missing, but a hub has used this data directory before (it has meta.db): starting would begin the "
        "access history again, empty. Restore audit.db (and audit.db-wal, if the backup has one) from the backup "
        "of this data directory. Only if it is lost for good, start once with --new-audit-log: a new, empty log "
        "under a new log id");
  }
  if (had_audit && options.new_audit_log) {
    return Error::invalid("--new-audit-log is for a data directory whose audit.db is missing; " +
                          (dir / "audit.db").string() + " is there: start without the flag");
  }
  YICI_TRY(auto records, sqlite::SqliteRecordStore::open((dir / "records.db").string()));
  {
    // Pulls commit 10,000-row batches: a log of 10,000 pages between restarts copies each hot
    // index page back once per several batches (bench, 1M rows: 38.5k -> 43.2k rows/s, against
    // the same threshold checkpointed inside the pull's commits).
    sqlite::WalCheckpointOptions options;
    options.interval = std::chrono::milliseconds(100);
    options.restart_frames = 10000;
    options.writer_frames = 40000;
    YICI_TRY(stores.records_checkpoints, sqlite::WalCheckpointer::start(records->database(), options));
  }
  stores.records = std::move(records);
  YICI_TRY(stores.audit, sqlite::Database::open((dir / "audit.db").string(), kAuditMigrations));
  // The audit writer commits a few entries at a time, thousands of times a second. While audit.db
  // is under 1 GiB, a commit after an index page split makes SQLite walk its whole page cache (the
  // split moves a cached page to the lock-byte page number, 262145, seen with gdb, so truncating
  // the cache to the file's size at commit takes the full scan): such commits cost more the bigger
  // the cache. 8 MiB instead of the writers' 32 MiB: audit bench, 100k appends, committer thread
  // CPU -13% (perf samples 8471/8497 -> 7387/7262), the scan's share 850 -> 330 samples.
  // secure_delete: a readable subject purged by retention (set to NULL) left its bytes in the
  // page's free space; FAST zeroes freed space in pages that are written anyway.
  YICI_TRY_STATUS(stores.audit->with_writer([](sqlite::Connection& w) -> Status {
    return w.exec("PRAGMA cache_size = -8192; PRAGMA secure_delete = FAST");
  }));
  YICI_TRY(stores.audit_checkpoints, sqlite::WalCheckpointer::start(*stores.audit));
  YICI_TRY(stores.meta, sqlite::Database::open((dir / "meta.db").string(), kMetaMigrations));
  YICI_TRY(stores.hub_instance_id, value_or_store(*stores.meta, "hub_info", "instance_id", new_request_id()));
  // The audit log's id travels with audit.db: restoring it alone, or with another hub's meta.db,
  // keeps the id. A log from before it was kept there takes the instance id, which it had.
  YICI_TRY(stores.log_id, value_or_store(*stores.audit, "log_info", "log_id",
                                         options.new_audit_log ? new_request_id() : stores.hub_instance_id));
  stores.new_audit_log = options.new_audit_log;
  // The databases hold personal data and the access history: owner only, like the directory, so
  // that a copy (a backup) does not leave them readable by all. SQLite gives the -wal and -shm
  // files it creates the main file's permissions.
  for (const char* db : {"records.db", "audit.db", "meta.db"}) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const fs::path file = dir / (std::string(db) + suffix);
      if (fs::exists(file, ec)) fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, ec);
    }
  }
  return stores;
}

}  // namespace yici::store
