#include "hub/metrics/metrics.h"

#include <doctest/doctest.h>

namespace yici::metrics {
namespace {

TEST_CASE("metrics: a made-up HTTP method is counted as other, so clients cannot add series at will") {
  Metrics m;
  for (int i = 0; i < 50; ++i)
    m.observe_request("unmatched", "M" + std::to_string(i) + std::string(100, 'A'), 405, "", 0.0001);
  m.observe_request("unmatched", "get", 405, "", 0.0001);  // methods are case-sensitive
  m.observe_request("unmatched", "DELETE", 405, "", 0.0001);
  const std::string text = m.render(Snapshot{});
  INFO(text.substr(0, 2000));
  CHECK(text.find(
            R"(yici_http_requests_total{method="other",principal="anonymous",route="unmatched",status="405"} 51)") !=
        std::string::npos);
  CHECK(text.find(R"(method="DELETE",principal="anonymous",route="unmatched",status="405"} 1)") != std::string::npos);
  CHECK(text.find("AAAA") == std::string::npos);
  CHECK(text.find(R"(method="get")") == std::string::npos);
  CHECK(text.size() < 20'000);
}

TEST_CASE("metrics: counters, histograms and scrape-time gauges in the text format") {
  Metrics m;
  m.observe_request("/v1/records/{dataset}/{subject}", "GET", 200, "market-regulation", 0.003);
  m.observe_request("/v1/records/{dataset}/{subject}", "GET", 200, "market-regulation", 0.004);
  m.observe_request("unmatched", "GET", 404, "", 0.0001);
  m.tls_handshake_failed("certificate");
  m.tls_handshake_failed("closed");
  m.tls_handshake_failed("closed");
  m.request_rejected(431, "headers_too_large");
  m.request_rejected(431, "headers_too_large");
  m.request_rejected(400, "malformed_request");
  m.pull_finished("hz-psb", true, 10, 9, 1, 0.2);
  m.pull_finished("hz-psb", false, 0, 0, 0, 1.0);
  m.audit_committed(0.0004);
  m.audit_committed(0.0009);
  m.audit_committed(0.2);
  Snapshot snap;
  snap.sources = {{"hz-psb", false, 1700000000.0, std::nullopt, 12}, {"hz-\"odd\"", true, std::nullopt}};
  snap.audit_tree_size = 42;
  snap.audit_commits = 7;
  snap.audit_entries_written = 40;
  snap.last_checkpoint_age_s = 12.5;
  snap.wal = {{"audit", 300, 280, 3}, {"records", 10, 10, 0}};
  snap.subject_index_lag = 17;
  snap.subject_merge_lag = 1048576;
  const std::string text = m.render(snap);
  INFO(text);
  CHECK(text.find("# TYPE yici_http_requests_total counter") != std::string::npos);
  CHECK(text.find(R"(yici_http_requests_total{method="GET",principal="market-regulation",)"
                  R"(route="/v1/records/{dataset}/{subject}",status="200"} 2)") != std::string::npos);
  CHECK(text.find(R"(principal="anonymous",route="unmatched",status="404"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_http_request_duration_seconds_bucket{method="GET",route="/v1/records/{dataset}/{subject}",)"
                  R"(le="0.005"} 2)") != std::string::npos);
  CHECK(text.find(R"(yici_tls_handshake_failures_total{kind="certificate"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_tls_handshake_failures_total{kind="closed"} 2)") != std::string::npos);
  CHECK(text.find(R"(yici_tls_handshake_failures_total{kind="timeout"} 0)") != std::string::npos);
  CHECK(text.find(R"(yici_tls_handshake_failures_total{kind="protocol"} 0)") != std::string::npos);
  CHECK(text.find(R"(yici_http_requests_rejected_total{code="headers_too_large",status="431"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(yici_http_requests_rejected_total{code="malformed_request",status="400"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(yici_pulls_total{outcome="ok",source="hz-psb"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_pulls_total{outcome="failed",source="hz-psb"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_pull_rows_total{kind="rejected",source="hz-psb"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_source_up{source="hz-psb"} 0)") != std::string::npos);
  CHECK(text.find(R"(yici_source_up{source="hz-\"odd\""} 1)") != std::string::npos);  // escaped
  CHECK(text.find(R"(yici_source_quarantined_rows{source="hz-psb"} 12)") != std::string::npos);
  CHECK(text.find(R"(yici_source_quarantined_rows{source="hz-\"odd\""})") == std::string::npos);  // not known
  CHECK(text.find(R"(yici_source_last_success_timestamp_seconds{source="hz-psb"} 1700000000)") != std::string::npos);
  CHECK(text.find("yici_audit_tree_size 42") != std::string::npos);
  CHECK(text.find("yici_audit_commits_total 7") != std::string::npos);
  CHECK(text.find(R"(yici_audit_commit_duration_seconds_bucket{le="0.0005"} 1)") != std::string::npos);
  CHECK(text.find(R"(yici_audit_commit_duration_seconds_bucket{le="0.001"} 2)") != std::string::npos);
  CHECK(text.find(R"(yici_audit_commit_duration_seconds_bucket{le="0.1"} 2)") != std::string::npos);
  CHECK(text.find("yici_audit_commit_duration_seconds_count 3") != std::string::npos);
  CHECK(text.find("yici_audit_entries_written_total 40") != std::string::npos);
  CHECK(text.find("yici_audit_last_checkpoint_age_seconds 12.5") != std::string::npos);
  CHECK(text.find(R"(yici_wal_frames{database="audit"} 300)") != std::string::npos);
  CHECK(text.find(R"(yici_wal_frames_not_checkpointed{database="audit"} 20)") != std::string::npos);
  CHECK(text.find(R"(yici_wal_checkpoint_failures_total{database="audit"} 3)") != std::string::npos);
  CHECK(text.find(R"(yici_wal_checkpoint_failures_total{database="records"} 0)") != std::string::npos);
  CHECK(text.find("yici_audit_subject_index_lag_entries 17") != std::string::npos);
  CHECK(text.find("yici_audit_subject_merge_lag_entries 1048576") != std::string::npos);
  // A source gone from the snapshot is gone from the next scrape.
  snap.sources.pop_back();
  CHECK(m.render(snap).find("odd") == std::string::npos);
}

}  // namespace
}  // namespace yici::metrics
