// The hub's databases under data_dir: records.db (normalised records), audit.db (the access log)
// and meta.db (sources, pull history, cursors, quarantine). Separate files so that ingest and
// audit writes never queue on the same lock.
#pragma once

#include <memory>
#include <string>

#include "hub/core/result.h"
#include "hub/store/data_dir_lock.h"
#include "hub/store/record_store.h"
#include "hub/store/sqlite/database.h"
#include "hub/store/sqlite/wal_checkpointer.h"

namespace yici::store {

struct StoreOptions {
  bool new_audit_log = false;  // yici-hub --new-audit-log
};

struct Stores {
  // First: released after every database below is closed.
  std::unique_ptr<DataDirLock> lock;
  std::unique_ptr<RecordStore> records;
  std::unique_ptr<sqlite::Database> audit;
  std::unique_ptr<sqlite::Database> meta;
  std::string hub_instance_id;  // random, made when meta.db is created
  // The audit log's id, in its checkpoints: kept in audit.db (log_info), so that it travels with
  // the log. A log from before it was kept there takes the hub's instance id, which it had.
  std::string log_id;
  bool new_audit_log = false;  // this start began a new log in place of a missing audit.db
  // The logs of audit.db and records.db are checkpointed off the commit path
  // (wal_checkpointer.h). Declared after the databases: stopped before they close.
  std::unique_ptr<sqlite::WalCheckpointer> audit_checkpoints;
  std::unique_ptr<sqlite::WalCheckpointer> records_checkpoints;

  // Creates data_dir (mode 0700) if needed, locks it against a second hub (data_dir_lock.h), opens
  // and migrates the three files. A data directory a hub has used before (it has meta.db) whose
  // audit.db is missing is refused: opening it would start the access history again, empty, and
  // silently (a wrong restore, a wrong volume, a deletion). StoreOptions::new_audit_log allows it
  // once, deliberately, and gives the new log a new id, so that checkpoints saved from the lost
  // log are not taken for this one's.
  static Result<Stores> open(const std::string& data_dir, const StoreOptions& options = {});
};

}  // namespace yici::store
