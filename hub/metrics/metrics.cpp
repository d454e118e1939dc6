#include "hub/metrics/metrics.h"

#include <array>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "hub/core/version.h"

namespace yici::metrics {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("yici_http_requests_total")
                   .Help("HTTP requests answered, by route pattern, method, status and principal")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("yici_http_request_duration_seconds")
                  .Help("Time from a request's last byte read to its answer written, by route pattern and method")
                  .Register(*registry_);
  handshake_failures_ = &prometheus::BuildCounter()
                             .Name("yici_tls_handshake_failures_total")
                             .Help(
                                 "TLS handshakes refused or broken off, by kind: certificate (refused: expired, "
                                 "another CA), closed (the peer left: TCP checks, scans), timeout, protocol")
                             .Register(*registry_);
  // Each kind from the start, at 0: an alert on the rate of refused certificates has a series.
  for (const char* kind : {"certificate", "closed", "timeout", "protocol"}) handshake_failures_->Add({{"kind", kind}});
  connections_refused_ = &prometheus::BuildCounter()
                              .Name("yici_connections_refused_total")
                              .Help(
                                  "Connections closed as soon as accepted, by the limit they met: max_connections, "
                                  "max_connections_per_address")
                              .Register(*registry_);
  for (const char* limit : {"max_connections", "max_connections_per_address"})
    connections_refused_->Add({{"limit", limit}});
  subjects_purged_ = &prometheus::BuildCounter()
                          .Name("yici_audit_subjects_purged_total")
                          .Help("Readable subjects removed from audit entries older than audit.subject_retention")
                          .Register(*registry_)
                          .Add({});
  rejections_ = &prometheus::BuildCounter()
                     .Name("yici_http_requests_rejected_total")
                     .Help("Requests refused before routing (oversized, malformed), by status and error code")
                     .Register(*registry_);
  pulls_ = &prometheus::BuildCounter()
                .Name("yici_pulls_total")
                .Help("Pulls finished, by source and outcome (ok, failed)")
                .Register(*registry_);
  pull_rows_ = &prometheus::BuildCounter()
                    .Name("yici_pull_rows_total")
                    .Help("Source rows pulled, by source and kind (read, accepted, rejected)")
                    .Register(*registry_);
  pull_seconds_ = &prometheus::BuildHistogram()
                       .Name("yici_pull_duration_seconds")
                       .Help("Duration of pulls, by source")
                       .Register(*registry_);
  // From a quiet disk's fdatasync (a few hundred microseconds) to the stalls of a busy one.
  static const prometheus::Histogram::BucketBoundaries kCommitBuckets = {
      0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
  audit_commit_seconds_ =
      &prometheus::BuildHistogram()
           .Name("yici_audit_commit_duration_seconds")
           .Help("Audit group commits, from the transaction's start to the log's fsync: every lookup waits for one")
           .Register(*registry_)
           .Add({}, kCommitBuckets);
}

Metrics::~Metrics() = default;

namespace {

// The method as a label: HTTP's own methods, everything else "other". Any token is a method to
// the HTTP parser, and each distinct label value is a series kept for ever: a client without a
// certificate sending made-up methods grew /metrics by 138 MB in 1,000 requests.
std::string method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                             "OPTIONS", "CONNECT", "TRACE", "PATCH"};
  for (const std::string_view known : kKnown) {
    if (method == known) return std::string(known);
  }
  return "other";
}

}  // namespace

void Metrics::observe_request(std::string_view route, std::string_view method, int status, std::string_view principal,
                              double seconds) {
  const std::string method_value = method_label(method);
  requests_
      ->Add({{"route", std::string(route)},
             {"method", method_value},
             {"status", std::to_string(status)},
             {"principal", principal.empty() ? std::string("anonymous") : std::string(principal)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                   0.1,    0.25,  0.5,    1,     2.5,  5};
  latency_->Add({{"route", std::string(route)}, {"method", method_value}}, kBuckets).Observe(seconds);
}

void Metrics::tls_handshake_failed(std::string_view kind) {
  handshake_failures_->Add({{"kind", std::string(kind)}}).Increment();
}

void Metrics::connection_refused(std::string_view limit) {
  connections_refused_->Add({{"limit", std::string(limit)}}).Increment();
}

void Metrics::audit_subjects_purged(std::uint64_t count) { subjects_purged_->Increment(static_cast<double>(count)); }

void Metrics::request_rejected(int status, std::string_view code) {
  rejections_->Add({{"status", std::to_string(status)}, {"code", std::string(code)}}).Increment();
}

void Metrics::pull_finished(const std::string& source, bool ok, std::int64_t rows_read, std::int64_t accepted,
                            std::int64_t rejected, double seconds) {
  pulls_->Add({{"source", source}, {"outcome", ok ? "ok" : "failed"}}).Increment();
  pull_rows_->Add({{"source", source}, {"kind", "read"}}).Increment(static_cast<double>(rows_read));
  pull_rows_->Add({{"source", source}, {"kind", "accepted"}}).Increment(static_cast<double>(accepted));
  pull_rows_->Add({{"source", source}, {"kind", "rejected"}}).Increment(static_cast<double>(rejected));
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
  pull_seconds_->Add({{"source", source}}, kBuckets).Observe(seconds);
}

void Metrics::audit_committed(double seconds) { audit_commit_seconds_->Observe(seconds); }

std::string Metrics::render(const Snapshot& snapshot) const {
  // State gauges live in a registry of their own, built for this scrape: sources that were
  // retired disappear instead of reporting their last value for ever.
  prometheus::Registry state;
  auto& up = prometheus::BuildGauge()
                 .Name("yici_source_up")
                 .Help("1 when the source's last pull succeeded (or it has not failed yet), 0 when it is failing")
                 .Register(state);
  auto& last_success = prometheus::BuildGauge()
                           .Name("yici_source_last_success_timestamp_seconds")
                           .Help("When the source's last successful pull finished (Unix time)")
                           .Register(state);
  auto& running = prometheus::BuildGauge()
                      .Name("yici_pull_running_seconds")
                      .Help(
                          "How long the source's running pull has been going (0 when none is): a pull stuck on "
                          "a department that does not answer keeps growing while yici_source_up stays 1")
                      .Register(state);
  auto& quarantined = prometheus::BuildGauge()
                          .Name("yici_source_quarantined_rows")
                          .Help(
                              "Rows of the source waiting in its quarantine (rejected, with reasons the department "
                              "can act on: yici-ctl sources quarantine); a rise after a pull is the alert")
                          .Register(state);
  for (const auto& s : snapshot.sources) {
    running.Add({{"source", s.id}}).Set(s.running_s.value_or(0.0));
    up.Add({{"source", s.id}}).Set(s.up ? 1 : 0);
    if (s.last_success_unix_s) last_success.Add({{"source", s.id}}).Set(*s.last_success_unix_s);
    if (s.quarantined) quarantined.Add({{"source", s.id}}).Set(static_cast<double>(*s.quarantined));
  }
  prometheus::BuildGauge()
      .Name("yici_source_files_skipped")
      .Help(
          "Source definition files in sources_dir that could not be loaded at start (see the source_skipped log "
          "lines): nothing pulls their sources, and their records are served as stale once older than stale_after")
      .Register(state)
      .Add({})
      .Set(static_cast<double>(snapshot.source_files_skipped));
  prometheus::BuildGauge()
      .Name("yici_audit_tree_size")
      .Help("Entries in the audit log's Merkle tree")
      .Register(state)
      .Add({})
      .Set(static_cast<double>(snapshot.audit_tree_size));
  prometheus::BuildCounter()
      .Name("yici_audit_commits_total")
      .Help("Audit transactions committed since start; each is one fsync shared by its entries")
      .Register(state)
      .Add({})
      .Increment(static_cast<double>(snapshot.audit_commits));
  prometheus::BuildCounter()
      .Name("yici_audit_commit_failures_total")
      .Help("Audit transactions that failed since start (disk full, a lock): their requests got 503")
      .Register(state)
      .Add({})
      .Increment(static_cast<double>(snapshot.audit_commit_failures));
  prometheus::BuildCounter()
      .Name("yici_audit_entries_written_total")
      .Help("Audit entries written since start")
      .Register(state)
      .Add({})
      .Increment(static_cast<double>(snapshot.audit_entries_written));
  auto& wal_frames = prometheus::BuildGauge()
                         .Name("yici_wal_frames")
                         .Help(
                             "Pages in a database's write-ahead log at its last checkpoint (restarts near 4,096 "
                             "for audit, 10,000 for records; steady growth means checkpoints cannot keep up)")
                         .Register(state);
  auto& wal_behind = prometheus::BuildGauge()
                         .Name("yici_wal_frames_not_checkpointed")
                         .Help("Of those, pages not yet copied into the database (held back by a long reader)")
                         .Register(state);
  auto& wal_failures = prometheus::BuildCounter()
                           .Name("yici_wal_checkpoint_failures_total")
                           .Help("Checkpoint rounds that failed since start (disk full, I/O errors): the log grows")
                           .Register(state);
  for (const auto& w : snapshot.wal) {
    wal_frames.Add({{"database", w.database}}).Set(w.log_frames);
    wal_behind.Add({{"database", w.database}}).Set(w.log_frames - w.copied_frames);
    wal_failures.Add({{"database", w.database}}).Increment(static_cast<double>(w.checkpoint_failures));
  }
  prometheus::BuildGauge()
      .Name("yici_connections_open")
      .Help("Client connections open now, in the TLS handshake, a request or idle between requests")
      .Register(state)
      .Add({})
      .Set(static_cast<double>(snapshot.open_connections));
  if (snapshot.crl_next_update_unix_s) {
    prometheus::BuildGauge()
        .Name("yici_tls_crl_next_update_timestamp_seconds")
        .Help(
            "Earliest nextUpdate of the client CAs' CRLs (tls.crl_file): load newer CRLs before it, or every "
            "certificate of that CA is refused")
        .Register(state)
        .Add({})
        .Set(*snapshot.crl_next_update_unix_s);
  }
  if (snapshot.last_checkpoint_age_s) {
    prometheus::BuildGauge()
        .Name("yici_audit_last_checkpoint_age_seconds")
        .Help("Seconds since the newest signed checkpoint was made")
        .Register(state)
        .Add({})
        .Set(*snapshot.last_checkpoint_age_s);
  }
  prometheus::BuildGauge()
      .Name("yici_audit_unsigned_entries")
      .Help("Audit entries after the newest signed checkpoint (signed within checkpoint_interval when all is well)")
      .Register(state)
      .Add({})
      .Set(static_cast<double>(snapshot.unsigned_entries));
  prometheus::BuildGauge()
      .Name("yici_audit_oldest_unsigned_entry_age_seconds")
      .Help(
          "Age of the oldest audit entry not under a signed checkpoint, 0 when there is none: alert when it "
          "passes a few checkpoint_intervals (audit_checkpoint_failed in the log says why)")
      .Register(state)
      .Add({})
      .Set(snapshot.oldest_unsigned_entry_age_s);
  if (snapshot.subject_index_lag) {
    prometheus::BuildGauge()
        .Name("yici_audit_subject_index_lag_entries")
        .Help(
            "Audit entries not yet in the subject index: subject searches scan them. Normally under a few "
            "thousand; steady growth means index batches fail (audit_subject_index_failed in the log)")
        .Register(state)
        .Add({})
        .Set(static_cast<double>(*snapshot.subject_index_lag));
  }
  if (snapshot.subject_merge_lag) {
    prometheus::BuildGauge()
        .Name("yici_audit_subject_merge_lag_entries")
        .Help(
            "Audit entries of whole 1,048,576-entry spans indexed but not yet merged: 0, or one span for the "
            "seconds a merge takes; more means merges fail (audit_subject_merge_failed in the log)")
        .Register(state)
        .Add({})
        .Set(static_cast<double>(*snapshot.subject_merge_lag));
  }
  prometheus::BuildGauge()
      .Name("yici_build_info")
      .Help("The hub's version, as a label")
      .Register(state)
      .Add({{"version", version()}})
      .Set(1);
  auto families = registry_->Collect();
  auto more = state.Collect();
  families.insert(families.end(), more.begin(), more.end());
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace yici::metrics
