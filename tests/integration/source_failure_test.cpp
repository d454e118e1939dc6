// A source that fails keeps its last good data served, marked stale after ingest.stale_after, and
// recovers by itself (bounded retries with backoff) once the department fixes it.
#include <csignal>
#include <cstdio>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {
namespace {

std::string health(const HubProcess& hub) {
  const auto r = https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources/psb");
  const boost::json::value body = boost::json::parse(r.body);
  return std::string(body.at("health").at("state").as_string());
}

// Whether market-regulation's lookup of the fixture's person says the record is stale.
bool record_stale(const HubProcess& hub) {
  const HttpResult r = https_request(hub.port(), HubProcess::as("market-regulation"), "GET",
                                     "/v1/records/population/11010519491231002X?purpose=food-business-license");
  REQUIRE(r.status == 200);
  const boost::json::value body = boost::json::parse(r.body);
  const auto& rec = body.at("records").at(0).as_object();
  return rec.contains("stale") && rec.at("stale").as_bool();
}

// A hub on the departments' sources that keeps its data in `data`, to be started again on it.
HubOptions restartable(const Departments& d, const TempDir& data, const std::string& config) {
  return {.extra_config = config,
          .policy = kDepartmentPolicy,
          .sources_dir = d.sources.path().string(),
          .data_dir = data.path().string()};
}

template <typename Pred>
bool eventually(Pred pred, int tries = 200) {
  for (int i = 0; i < tries; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_CASE("ingest: a failing source is served stale, backs off, and recovers when fixed") {
  Departments d;
  HubProcess hub({.extra_config = "ingest: {stale_after: 1s, retry_base: 300ms, retry_max: 600ms, max_retries: 50}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  REQUIRE(wait_for(hub.port(), market, target).status == 200);

  // The department's database goes away: the next pull fails.
  REQUIRE(std::rename(d.data.file("dept.db").c_str(), d.data.file("dept.db.away").c_str()) == 0);
  REQUIRE(https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/sources/psb/pull").status == 202);
  CHECK(eventually([&] { return health(hub) == "failing"; }));
  {
    // yici-ctl says since when, how many in a row, and the last success.
    std::string shown;
    CHECK(run_ctl(hub.port(), "admin", "sources show psb", &shown) == 0);
    INFO(shown);
    CHECK(shown.find("health      failing") != std::string::npos);
    CHECK(shown.find(" since 20") != std::string::npos);
    CHECK(shown.find("failures in a row, last success 20") != std::string::npos);
  }

  // Lookups keep answering from the last good data; after stale_after the records say so.
  bool stale = false;
  CHECK(eventually([&] {
    const HttpResult r = https_request(hub.port(), market, "GET", target);
    if (r.status != 200) return false;
    const boost::json::value body = boost::json::parse(r.body);
    const auto& rec = body.at("records").at(0).as_object();
    stale = rec.contains("stale") && rec.at("stale").as_bool();
    return stale;
  }));
  CHECK(stale);

  // Fixed at the source: the retries pick it up, health is ok, and the records are fresh again.
  REQUIRE(std::rename(d.data.file("dept.db.away").c_str(), d.data.file("dept.db").c_str()) == 0);
  CHECK(eventually([&] { return health(hub) == "ok"; }));
  const HttpResult fresh = https_request(hub.port(), market, "GET", target);
  REQUIRE(fresh.status == 200);
  const boost::json::value fresh_body = boost::json::parse(fresh.body);
  CHECK_FALSE(fresh_body.at("records").at(0).as_object().contains("stale"));
  CHECK(hub.log().find("pull_failed") != std::string::npos);
  // yici-ctl shows the last failure as one recovered from, not as the reason of an "ok".
  std::string shown;
  CHECK(run_ctl(hub.port(), "admin", "sources show psb", &shown) == 0);
  INFO(shown);
  CHECK(shown.find("health      ok (recovered from: ") != std::string::npos);
}

TEST_CASE("ingest: a restart keeps a failing source's health: its records stay stale, its last success a metric") {
  Departments d;
  TempDir data;
  const std::string config = "ingest: {stale_after: 3s, retry_base: 300ms, retry_max: 600ms, max_retries: 50}\n";
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  {
    HubProcess hub(restartable(d, data, config));
    REQUIRE(wait_for(hub.port(), market, target).status == 200);
    REQUIRE(std::rename(d.data.file("dept.db").c_str(), d.data.file("dept.db.away").c_str()) == 0);
    REQUIRE(https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/sources/psb/pull").status == 202);
    CHECK(eventually([&] { return health(hub) == "failing"; }));
    CHECK(eventually([&] { return record_stale(hub); }));  // failing for longer than stale_after
  }
  // Restarted during the outage: the records were stale before and are at once, not stale_after
  // later; the source is failing since before the restart, and its last success is still known.
  HubProcess hub(restartable(d, data, config));
  REQUIRE(wait_for(hub.port(), market, target).status == 200);
  CHECK(record_stale(hub));
  const auto r = https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources/psb");
  const boost::json::value source = boost::json::parse(r.body);
  INFO(r.body);
  CHECK(source.at("health").at("state") == "failing");
  CHECK(source.at("health").as_object().contains("last_success"));
  const auto metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics");
  CHECK(metrics.body.find(R"(yici_source_last_success_timestamp_seconds{source="psb"})") != std::string::npos);
}

TEST_CASE("ingest: a source whose file no longer loads at start is counted, and its records are served stale") {
  Departments d;
  TempDir data;
  const std::string config = "ingest: {stale_after: 1s}\n";
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  {
    HubProcess hub(restartable(d, data, config));
    REQUIRE(wait_for(hub.port(), market, target).status == 200);
    CHECK_FALSE(record_stale(hub));
    hub.signal(SIGTERM);
    REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  }
  // An edit breaks the file (a tab in YAML indentation, say), then the hub restarts.
  d.sources.write("psb.yaml", "id: psb\n\tdepartment: public-security\n");
  HubProcess hub(restartable(d, data, config));
  REQUIRE(wait_for(hub.port(), market, target).status == 200);
  CHECK(hub.log().find("source_skipped") != std::string::npos);
  const HttpResult metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("\nyici_source_files_skipped 1\n") != std::string::npos);
  // Nothing refreshes the records now: once the last pull that saw them is older than
  // stale_after, they say so (they were served as fresh for ever).
  CHECK(eventually([&] { return record_stale(hub); }));
}

TEST_CASE(
    "ingest: a removed source's records are as fresh as its last good pull, rows its incremental pulls skipped too") {
  Departments d;
  {
    // A second resident with a later cursor value: incremental pulls read from that value on, so
    // the first resident's row is not read again after the first pull.
    auto db =
        store::sqlite::Connection::open(d.data.file("dept.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(db->exec("UPDATE person SET gxsj = '2020-01-01 00:00:00';"
                     "INSERT INTO person VALUES ('110105194912310038', '李四', '1', '1949年12月31日', '13800000000',"
                     " '2020-06-01 00:00:00');")
                .ok());
  }
  d.sources.write("psb.yaml",
                  "id: psb\ndepartment: public-security\ndataset: population\n"
                  "adapter: {type: sqlite, path: " +
                      d.data.file("dept.db") +
                      ", table: person}\n"
                      "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm, gender: xb}\n"
                      "cursor: {column: gxsj, overlap: 0s}\nschedule: {every: 1s}\n");
  HubProcess hub({.extra_config = "ingest: {stale_after: 2s}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  const auto stale = [&] {
    const HttpResult r = https_request(hub.port(), market, "GET", target);
    REQUIRE(r.status == 200);
    const boost::json::value body = boost::json::parse(r.body);
    const auto& rec = body.at("records").at(0).as_object();
    return rec.contains("stale") && rec.at("stale").as_bool();
  };
  REQUIRE(wait_for(hub.port(), market, target).status == 200);
  // Incremental pulls succeed every second, none reading this row: its pulled_at grows old.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  CHECK_FALSE(stale());
  {
    // The answer says so: pulled_at is the first pull's, checked_at one of the pulls since.
    const HttpResult r = https_request(hub.port(), market, "GET", target);
    const auto provenance = boost::json::parse(r.body).at("records").at(0).at("provenance").as_object();
    const std::string pulled_at(provenance.at("pulled_at").as_string());
    REQUIRE(provenance.contains("checked_at"));
    const std::string checked_at(provenance.at("checked_at").as_string());
    CHECK(checked_at > pulled_at);
    const auto shown =
        boost::json::parse(https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources/psb").body);
    bool one_of_the_pulls = false;
    for (const auto& run : shown.at("recent_pulls").as_array()) {
      if (run.at("started_at").as_string() == checked_at)
        one_of_the_pulls = run.at("mode").as_string() == "incremental";
    }
    INFO(checked_at, " ", boost::json::serialize(shown.at("recent_pulls")));
    CHECK(one_of_the_pulls);
  }
  std::remove(d.sources.file("psb.yaml").c_str());
  REQUIRE(https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload").status == 200);
  // Removed, its records kept: as fresh as its last good pull, under a second ago. It was stale
  // at once, by the row's own pulled_at from the first pull.
  CHECK_FALSE(stale());
  // Nothing pulls it now: stale once that pull is older than stale_after.
  CHECK(eventually([&] { return stale(); }, 100));
}

}  // namespace
}  // namespace yici::test
