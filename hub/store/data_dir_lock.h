// One hub per data directory. Two hubs on the same data_dir both pull into records.db and both
// append to audit.db: each takes the next sequence number from its own memory, so the second to
// commit fails on every entry and answers 503 to every lookup, for good. The hub therefore holds an
// exclusive lock on data_dir/hub.lock (flock) for as long as it runs; the kernel drops it when the
// process ends, however it ends, so a killed hub never leaves a stale lock behind. The file holds
// the holder's pid, for the message a second start gets. Offline readers (yici-ctl audit verify
// --data-dir) do not take it.
#pragma once

#include <string>

#include "hub/core/result.h"

namespace yici::store {

class DataDirLock {
 public:
  // Locks `data_dir`/hub.lock (the directory must exist); kUnavailable naming the holder's pid if
  // another process holds it.
  static Result<DataDirLock> acquire(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace yici::store
