// The hub's operational metrics in the Prometheus text format (GET /metrics, admin principals),
// through prometheus-cpp's core registry and text serializer. Counters and histograms are
// updated as things happen; gauges that describe state (source health, audit tree size, the last
// checkpoint's age) are read from a snapshot the hub takes at scrape time. Label values are route
// patterns, source ids and principal ids: never raw paths, which carry subjects.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace yici::metrics {

struct SourceState {
  std::string id;
  bool up = false;                            // last pull succeeded (or none yet failed)
  std::optional<double> last_success_unix_s;  // seconds since the epoch
  std::optional<double> running_s;            // a pull is running: for how long
  std::optional<std::int64_t> quarantined;    // rows in its quarantine (none: the store did not answer)
};

// A database's write-ahead log as its checkpointer last saw it.
struct WalState {
  std::string database;  // "audit", "records"
  int log_frames = 0;
  int copied_frames = 0;
  std::uint64_t checkpoint_failures = 0;  // since start
};

struct Snapshot {
  std::vector<SourceState> sources;
  // Files in sources_dir that could not be loaded at start (unparsable, or refused by the checks):
  // their sources are not pulled, and are in no per-source gauge.
  std::uint64_t source_files_skipped = 0;
  std::uint64_t audit_tree_size = 0;
  // Since start: audit transactions committed and entries they wrote (entries per commit shows how
  // well concurrent requests share the group commit's fsync).
  std::uint64_t audit_commits = 0;
  std::uint64_t audit_commit_failures = 0;
  std::uint64_t audit_entries_written = 0;
  std::optional<double> last_checkpoint_age_s;  // none: no checkpoint yet
  // Entries after the newest signed checkpoint, and the age of the first of them (0 when there
  // are none). Unlike the checkpoint's age, which grows on a quiet hub with nothing to sign, these
  // say that an access is not yet under a signed root, and exist before the first checkpoint.
  std::uint64_t unsigned_entries = 0;
  double oldest_unsigned_entry_age_s = 0;
  // The audit log's subject index (audit/subject_index.h): entries not yet in it (searches scan
  // them), and entries of whole spans indexed but not yet merged (searches seek per bucket there).
  // None: the state could not be read.
  std::optional<std::int64_t> subject_index_lag;
  std::optional<std::int64_t> subject_merge_lag;
  std::vector<WalState> wal;
  std::uint64_t open_connections = 0;
  // With tls.crl_file: the earliest nextUpdate of the client CAs' CRLs (Unix seconds). Past it,
  // OpenSSL refuses every certificate of that CA until a newer CRL is loaded.
  std::optional<double> crl_next_update_unix_s;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `route` is the matched pattern ("/v1/records/{dataset}/{subject}") or "unmatched".
  void observe_request(std::string_view route, std::string_view method, int status, std::string_view principal,
                       double seconds);
  // `kind`: certificate, closed, timeout or protocol (server.h).
  void tls_handshake_failed(std::string_view kind);
  // A connection closed at once for a limit: max_connections or max_connections_per_address.
  void connection_refused(std::string_view limit);
  // A request refused before routing; `code` is the error code sent (body_too_large, ...).
  void request_rejected(int status, std::string_view code);
  void pull_finished(const std::string& source, bool ok, std::int64_t rows_read, std::int64_t accepted,
                     std::int64_t rejected, double seconds);
  // One audit group commit and how long it took (the floor of every lookup's latency in it).
  void audit_committed(double seconds);
  // Readable subjects removed from audit entries by the retention purge.
  void audit_subjects_purged(std::uint64_t count);

  // The text exposition (format 0.0.4) of everything, with the snapshot's gauges.
  [[nodiscard]] std::string render(const Snapshot& snapshot) const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
  prometheus::Family<prometheus::Counter>* handshake_failures_;
  prometheus::Family<prometheus::Counter>* rejections_;
  prometheus::Family<prometheus::Counter>* connections_refused_;
  prometheus::Family<prometheus::Counter>* pulls_;
  prometheus::Family<prometheus::Counter>* pull_rows_;
  prometheus::Family<prometheus::Histogram>* pull_seconds_;
  prometheus::Histogram* audit_commit_seconds_;
  prometheus::Counter* subjects_purged_;
};

}  // namespace yici::metrics
