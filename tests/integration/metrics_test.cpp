// GET /metrics against the real hub over mTLS.
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

// The value of the first sample line starting with `series`, or -1.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_CASE("metrics: admins scrape requests, handshake failures, pulls and audit size, others get 403") {
  Departments d;
  // The committer signs and stores a checkpoint after every entry: the age metric reads the latest stored.
  HubProcess hub({.extra_config = "audit: {checkpoint_every: 1}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = d.sources.path().string()});
  const auto admin = HubProcess::as("admin");
  const std::string subject = "11010519491231002X";
  const std::string target = "/v1/records/population/" + subject + "?purpose=food-business-license";
  REQUIRE(wait_for(hub.port(), HubProcess::as("market-regulation"), target).status == 200);
  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/metrics").status == 403);
  CHECK(https_request(hub.port(), HubProcess::as("auditor"), "GET", "/metrics").status == 403);
  CHECK(https_request(hub.port(), TlsOptions{}, "GET", "/metrics").status == 401);

  auto before = https_request(hub.port(), admin, "GET", "/metrics");
  REQUIRE(before.status == 200);
  CHECK(before.headers.at("content-type").find("text/plain; version=0.0.4") == 0);
  const std::string lookup_series = R"(yici_http_requests_total{method="GET",principal="market-regulation",)"
                                    R"(route="/v1/records/{dataset}/{subject}",status="200"})";
  const double lookups_before = std::max(0.0, sample(before.body, lookup_series));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(https_request(hub.port(), HubProcess::as("market-regulation"), "GET", target).status == 200);
  }
  // A certificate from another CA: refused in the handshake, counted.
  const double handshakes_before = sample(before.body, R"(yici_tls_handshake_failures_total{kind="certificate"})");
  std::string why;
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));

  // Refused before routing: counted by status and code, not as routed requests.
  {
    TlsConnection conn(hub.port(), HubProcess::as("market-regulation"));
    conn.send_raw("GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    REQUIRE(conn.read_response()->status == 431);
  }
  {
    TlsConnection conn(hub.port(), HubProcess::as("market-regulation"));
    conn.send_raw("G@T /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(conn.read_response()->status == 400);
  }

  // A checkpoint signed on demand (not stored: the age metric is of the hub's own).
  REQUIRE(https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/checkpoint").status == 200);

  auto after = https_request(hub.port(), admin, "GET", "/metrics");
  REQUIRE(after.status == 200);
  INFO(after.body);
  CHECK(sample(after.body, lookup_series) == lookups_before + 3);
  CHECK(sample(after.body, R"(yici_tls_handshake_failures_total{kind="certificate"})") == handshakes_before + 1);
  CHECK(sample(after.body, R"(yici_http_requests_rejected_total{code="headers_too_large",status="431"})") == 1);
  CHECK(sample(after.body, R"(yici_http_requests_rejected_total{code="malformed_request",status="400"})") == 1);
  CHECK(after.body.find(
            R"(yici_http_request_duration_seconds_count{method="GET",route="/v1/records/{dataset}/{subject}"})") !=
        std::string::npos);
  CHECK(after.body.find("yici_pulls_total{outcome=\"ok\",source=\"") != std::string::npos);
  CHECK(after.body.find("yici_source_up{source=\"") != std::string::npos);
  CHECK(sample(after.body, "yici_audit_tree_size") >= 3);
  // Its age from its signed timestamp: seconds, not the years a misread timestamp would give.
  const double checkpoint_age = sample(after.body, "yici_audit_last_checkpoint_age_seconds");
  CHECK(checkpoint_age >= 0);
  CHECK(checkpoint_age < 60);
  // The three lookups were written in at least one commit, and no commit is empty.
  const double entries = sample(after.body, "yici_audit_entries_written_total");
  const double commits = sample(after.body, "yici_audit_commits_total");
  CHECK(entries - sample(before.body, "yici_audit_entries_written_total") >= 3);
  CHECK(commits - sample(before.body, "yici_audit_commits_total") >= 1);
  CHECK(commits <= entries);
  // Each commit is timed once it is written (a commit still in flight may be counted but not timed).
  const double timed = sample(after.body, "yici_audit_commit_duration_seconds_count");
  CHECK(timed - sample(before.body, "yici_audit_commit_duration_seconds_count") >= 1);
  CHECK(timed <= commits);
  CHECK(after.body.find("yici_build_info{version=\"") != std::string::npos);
  CHECK(sample(after.body, R"(yici_wal_frames{database="audit"})") >= 0);
  CHECK(sample(after.body, R"(yici_wal_frames_not_checkpointed{database="records"})") >= 0);
  // The subject index catches up within moments of the lookups (batches every 200 ms): the lag
  // read from audit.db falls to 0 with the tree's size unchanged, and no span waits for a merge.
  double lag = sample(after.body, "yici_audit_subject_index_lag_entries");
  CHECK(lag >= 0);
  CHECK(lag <= sample(after.body, "yici_audit_tree_size"));
  std::string settled;
  for (int i = 0; i < 50 && lag != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    settled = https_request(hub.port(), admin, "GET", "/metrics").body;
    lag = sample(settled, "yici_audit_subject_index_lag_entries");
  }
  CHECK(lag == 0);
  CHECK(sample(settled.empty() ? after.body : settled, "yici_audit_subject_merge_lag_entries") == 0);
  // Subjects never become label values, and the request log names the route, not the path.
  CHECK(after.body.find(subject) == std::string::npos);
  CHECK(hub.log().find(subject) == std::string::npos);
  CHECK(hub.log().find(R"("route":"/v1/records/{dataset}/{subject}")") != std::string::npos);
}

TEST_CASE("handshake failures: a flood of connections that hang up is counted by kind and logged a few times") {
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  // 200 connections that send nothing and close (a load balancer's TCP check, a loop of them).
  for (int i = 0; i < 200; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(hub.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  // A certificate from another CA after them: still logged, under its own cap.
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue")));
  double closed = 0;
  for (int i = 0; i < 100 && closed < 200; ++i) {
    closed = sample(https_request(hub.port(), admin, "GET", "/metrics").body,
                    R"(yici_tls_handshake_failures_total{kind="closed"})");
    if (closed < 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(closed == 200);
  const std::string metrics = https_request(hub.port(), admin, "GET", "/metrics").body;
  CHECK(sample(metrics, R"(yici_tls_handshake_failures_total{kind="certificate"})") == 1);
  const std::string log = hub.log();
  std::size_t lines = 0;
  for (auto at = log.find("\"tls_handshake_failed\""); at != std::string::npos;
       at = log.find("\"tls_handshake_failed\"", at + 1)) {
    ++lines;
  }
  CHECK(lines == 11);  // 10 of the hang-ups, and the refused certificate
  CHECK(log.find(R"("kind":"certificate")") != std::string::npos);
  CHECK(log.find(R"("certificate_problem":"unable to get local issuer certificate")") != std::string::npos);
}

TEST_CASE("metrics: entries not yet under a signed checkpoint are counted and aged, before the first checkpoint too") {
  Departments d;
  // Nothing is signed while the hub runs: every entry waits for the (far) interval.
  HubProcess hub({.extra_config = "audit: {checkpoint_every: 100000, checkpoint_interval: 1h}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = d.sources.path().string()});
  const auto admin = HubProcess::as("admin");
  const auto idle = https_request(hub.port(), admin, "GET", "/metrics");
  REQUIRE(idle.status == 200);
  CHECK(sample(idle.body, "yici_audit_unsigned_entries") == sample(idle.body, "yici_audit_tree_size"));
  CHECK(idle.body.find("yici_audit_last_checkpoint_age_seconds") == std::string::npos);

  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  REQUIRE(wait_for(hub.port(), HubProcess::as("market-regulation"), target).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto later = https_request(hub.port(), admin, "GET", "/metrics");
  REQUIRE(later.status == 200);
  INFO(later.body);
  const double size = sample(later.body, "yici_audit_tree_size");
  CHECK(size >= 1);
  CHECK(sample(later.body, "yici_audit_unsigned_entries") == size);
  // The first entry's age, from its own time: over the second slept, not the years a misread
  // time would give.
  const double age = sample(later.body, "yici_audit_oldest_unsigned_entry_age_seconds");
  CHECK(age >= 1);
  CHECK(age < 120);
}

TEST_CASE("metrics: once every entry is under a signed checkpoint, none is unsigned and the age is 0") {
  Departments d;
  HubProcess hub({.extra_config = "audit: {checkpoint_every: 1}\n",
                  .policy = kDepartmentPolicy,
                  .sources_dir = d.sources.path().string()});
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  REQUIRE(wait_for(hub.port(), HubProcess::as("market-regulation"), target).status == 200);
  // The checkpoint follows the commit the answer waited for: moments later.
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics").body;
    if (sample(body, "yici_audit_unsigned_entries") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(body);
  CHECK(sample(body, "yici_audit_unsigned_entries") == 0);
  CHECK(sample(body, "yici_audit_tree_size") >= 1);
  CHECK(sample(body, "yici_audit_oldest_unsigned_entry_age_seconds") == 0);
}

}  // namespace
}  // namespace yici::test
