// audit.subject_retention against the real yici-hub: readable subjects older than the retention
// period are purged at start (and hourly), the purge is itself an audit entry, the subject report
// still finds the purged accesses through the HMAC, newer entries keep their subject, and the log
// still verifies offline.
#include <csignal>
#include <filesystem>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

constexpr const char* kSubject = "11010519491231002X";

TEST_CASE("audit retention: old readable subjects are purged, audited, still found by report, log verifies") {
  TempDir work;
  {
    auto db = store::sqlite::Connection::open(work.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(
        db->exec("CREATE TABLE person (sfzh TEXT, xm TEXT); INSERT INTO person VALUES ('11010519491231002X', '张三');")
            .ok());
  }
  work.write("sources/psb.yaml", person_source_yaml(work.file("psb.db")));
  const std::string data = work.file("data");
  const std::string lookup = std::string("/v1/records/population/") + kSubject + "?purpose=food-business-license";
  const auto market = HubProcess::as("market-regulation");
  const auto auditor = HubProcess::as("auditor");
  {
    HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = work.file("sources"), .data_dir = data});
    int answered = 0;
    for (int i = 0; i < 200 && answered < 3; ++i) {
      if (https_request(hub.port(), market, "GET", lookup).status == 200)
        ++answered;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(answered == 3);
    hub.signal(SIGTERM);
    REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));

  HubProcess hub({.extra_config = "audit: {subject_retention: 2s}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = work.file("sources"),
                  .data_dir = data});
  // The purge runs at start; its own entry says what it did.
  boost::json::array events;
  for (int i = 0; i < 100; ++i) {
    const HttpResult r = https_request(hub.port(), auditor, "GET", "/v1/audit/events?action=subject_purge");
    REQUIRE(r.status == 200);
    events = boost::json::parse(r.body).at("items").as_array();
    if (!events.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("requester") == "hub:retention");
  CHECK(std::string(events[0].at("dataset").as_string()).rfind("entries 0-", 0) == 0);
  // Nor are the purged subjects left in the files' bytes: not in freed space of audit.db's pages,
  // not in earlier page images in its write-ahead log (which kept them until overwritten).
  for (const char* file : {"/audit.db", "/audit.db-wal"}) {
    CAPTURE(file);
    const std::string bytes = std::filesystem::exists(data + file) ? read_file(data + file) : std::string();
    CHECK(bytes.find(kSubject) == std::string::npos);
  }

  // A lookup now is inside the retention period: it keeps its subject.
  const HttpResult fresh = https_request(hub.port(), market, "GET", lookup);
  REQUIRE(fresh.status == 200);
  const auto fresh_index = boost::json::parse(fresh.body).at("audit_index").as_int64();
  const HttpResult all = https_request(hub.port(), auditor, "GET", "/v1/audit/events?action=lookup&limit=100");
  REQUIRE(all.status == 200);
  int purged = 0;
  bool fresh_readable = false;
  const boost::json::value listed = boost::json::parse(all.body);
  for (const auto& e : listed.at("items").as_array()) {
    if (e.at("seq").as_int64() == fresh_index) {
      fresh_readable = e.at("subject") == kSubject;
    } else {
      CHECK(e.at("subject").is_null());
      ++purged;
    }
  }
  CHECK(purged >= 3);
  CHECK(fresh_readable);
  // The report finds the purged accesses by the subject's HMAC, and the new one.
  const HttpResult report =
      https_request(hub.port(), auditor, "GET", std::string("/v1/audit/subjects/") + kSubject + "/report");
  REQUIRE(report.status == 200);
  CHECK(boost::json::parse(report.body).at("items").as_array().size() >= 4);
  // Every lookup before the restart: the three answered, and any answered 404 before the first
  // pull had stored the record (also audited with its subject).
  CHECK(https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics")
            .body.find("yici_audit_subjects_purged_total " + std::to_string(purged) + "\n") != std::string::npos);

  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  std::string out;
  const int rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl audit verify --data-dir " + data, &out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED") != std::string::npos);
}

TEST_CASE("audit retention: a retention that is not a positive duration stops the hub at start") {
  TempDir work;
  std::string out;
  work.write(
      "hub.yaml",
      "listen: 127.0.0.1:0\ndata_dir: d\ntls: {cert: a, key: b, client_ca: c}\naudit: {subject_retention: 0s}\n");
  const int rc =
      run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + work.file("hub.yaml") + " 2>&1", &out);
  CHECK(rc == 2);
  CHECK(out.find("subject_retention must be positive") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
