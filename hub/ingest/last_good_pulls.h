// When each source was last read successfully from its start: what an answer's
// provenance.checked_at says, and how long a source nothing pulls any more stays fresh.
//
// A record's pulled_at is when a pull last returned its row. An incremental pull returns only rows
// changed since the one before, so a record unchanged for a year has a pulled_at a year old from a
// source read a minute ago; the start of that minute-old pull is when the hub last saw that the
// source had nothing newer for it.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>

#include "hub/store/record_store.h"

namespace yici::ingest {

class LastGoodPulls {
 public:
  explicit LastGoodPulls(store::RecordStore& store) : store_(store) {}

  // started_at of the source's latest successful pull that read it from its start, "" if none: a
  // resumed full pull does not count, since the rows read before its interruption are older than
  // its start. Read from the pull history once per source (it survives restarts), then kept.
  std::string started_at(const std::string& source);

  // A pull has finished: remembered if it succeeded and read the source from its start.
  void record(const store::PullRun& run);

 private:
  // A key reconciliation reads no data: it is in the history, but it is no pull.
  static bool counts(const store::PullRun& run) {
    return run.error.empty() && run.mode != "resumed" && run.mode != "reconcile";
  }

  store::RecordStore& store_;
  std::shared_mutex mu_;
  std::map<std::string, std::string, std::less<>> started_at_;
};

}  // namespace yici::ingest
