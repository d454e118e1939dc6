#include "hub/ingest/last_good_pulls.h"

#include <doctest/doctest.h>

#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/support/temp_dir.h"

namespace yici::ingest {
namespace {

store::PullRun run(const std::string& source, const std::string& started_at, const std::string& mode,
                   const std::string& error = "") {
  store::PullRun r;
  r.source = source;
  r.started_at = started_at;
  r.finished_at = started_at;
  r.mode = mode;
  r.error = error;
  return r;
}

TEST_CASE("last good pulls: the start of the latest successful pull that read the source from its start") {
  test::TempDir dir;
  auto store = store::sqlite::SqliteRecordStore::open(dir.file("records.db")).value();
  LastGoodPulls pulls(*store);
  CHECK(pulls.started_at("psb").empty());  // never pulled
  pulls.record(run("psb", "2026-11-24T08:00:00.000000Z", "full"));
  CHECK(pulls.started_at("psb") == "2026-11-24T08:00:00.000000Z");
  pulls.record(run("psb", "2026-11-24T09:00:00.000000Z", "incremental"));
  CHECK(pulls.started_at("psb") == "2026-11-24T09:00:00.000000Z");
  // A failed pull and a resumed full pull (its first rows were read before its start) do not
  // make the source's records any more current.
  pulls.record(run("psb", "2026-11-24T10:00:00.000000Z", "incremental", "connection refused"));
  pulls.record(run("psb", "2026-11-24T11:00:00.000000Z", "resumed"));
  CHECK(pulls.started_at("psb") == "2026-11-24T09:00:00.000000Z");
  // Pulls finish out of order (a manual pull beside a scheduled one): the later start wins.
  pulls.record(run("psb", "2026-11-24T08:30:00.000000Z", "full"));
  CHECK(pulls.started_at("psb") == "2026-11-24T09:00:00.000000Z");
  CHECK(pulls.started_at("other").empty());
}

TEST_CASE("last good pulls: after a restart, read from the pull history the store keeps") {
  test::TempDir dir;
  auto store = store::sqlite::SqliteRecordStore::open(dir.file("records.db")).value();
  for (const auto& r :
       {run("psb", "2026-11-24T08:00:00.000000Z", "full"), run("psb", "2026-11-24T09:00:00.000000Z", "incremental"),
        run("psb", "2026-11-24T10:00:00.000000Z", "incremental", "timeout"),
        run("psb", "2026-11-24T11:00:00.000000Z", "resumed"),
        run("csv", "2026-11-24T07:00:00.000000Z", "full", "no such file")}) {
    REQUIRE(store->record_pull_run(r).ok());
  }
  LastGoodPulls pulls(*store);
  CHECK(pulls.started_at("psb") == "2026-11-24T09:00:00.000000Z");
  CHECK(pulls.started_at("csv").empty());
  // Read once, then kept: a pull recorded since counts without reading the history again.
  pulls.record(run("csv", "2026-11-24T12:00:00.000000Z", "full"));
  CHECK(pulls.started_at("csv") == "2026-11-24T12:00:00.000000Z");
}

}  // namespace
}  // namespace yici::ingest
