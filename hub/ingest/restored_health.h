// A source's health as its pull history left it, for a hub that starts: without it a restart
// forgot when a failing source last worked, so its records were served as fresh for another
// stale_after, and yici_source_last_success_timestamp_seconds vanished until the next success.
#pragma once

#include <optional>
#include <vector>

#include "hub/ingest/scheduler.h"
#include "hub/store/record_store.h"

namespace yici::ingest {

// From the source's latest runs, newest first (RecordStore::recent_pull_runs): the state of the
// newest run, failing since the first failure after the latest success (the oldest one listed if
// no success is), the latest success's finish, the newest error and the failures in a row.
// nullopt when there are no runs or their times cannot be read.
std::optional<SourceHealth> health_from_runs(const std::vector<store::PullRun>& newest_first);

}  // namespace yici::ingest
