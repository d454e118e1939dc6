// The hub process: wires configuration, stores, access policy and the HTTPS server together and
// owns the route table. main() only parses flags and calls Hub::create and Hub::run.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>

#include "adapters/registry.h"
#include "hub/access/policy.h"
#include "hub/access/rate_limiter.h"
#include "hub/admin/source_check.h"
#include "hub/api/audit_handlers.h"
#include "hub/api/http.h"
#include "hub/api/lookup_services.h"
#include "hub/audit/audit_log.h"
#include "hub/core/hub_config.h"
#include "hub/core/periodic_task.h"
#include "hub/core/result.h"
#include "hub/ingest/last_good_pulls.h"
#include "hub/ingest/row_normaliser.h"
#include "hub/ingest/scheduler.h"
#include "hub/ingest/source_definition.h"
#include "hub/ingest/source_loader.h"
#include "hub/ingest/source_registry.h"
#include "hub/matter/matter.h"
#include "hub/metrics/metrics.h"
#include "hub/net/router.h"
#include "hub/schema/schema_set.h"
#include "hub/sign/response_signer.h"
#include "hub/store/source_catalog.h"
#include "hub/store/stores.h"

namespace yici {

namespace net {
class Server;
}

// Loads the signing keys a config names into a key ring.
Result<std::shared_ptr<const sign::KeyRing>> load_key_ring(const std::vector<SigningKeyConfig>& keys);

class Hub {
 public:
  // Loads everything the config names, opens the stores and binds the listener. `adapters` must
  // outlive the hub.
  static Result<std::unique_ptr<Hub>> create(HubConfig config, const adapters::AdapterRegistry& adapters);
  ~Hub();

  // Serves until SIGTERM/SIGINT; returns the process exit code.
  int run();

  [[nodiscard]] std::uint16_t port() const;

  // Handles one request: resolves the principal, routes, and returns the response.
  api::Response handle(api::Request& request);

 private:
  Hub() = default;
  void register_routes();
  void register_lookup_routes();  // hub_lookups.cpp
  // Data requests that block on nothing but their audit commit: served on the I/O threads.
  static bool runs_on_io_thread(const api::Request& request);
  api::LookupServices lookup_services();
  [[nodiscard]] std::optional<api::Response> data_routes_unavailable() const;
  // sources_dir read again (hub_source_files.cpp): file-managed sources added, changed, removed
  // (ids), and one message per file not applied (the source in force stays).
  struct SourceFilesReload {
    std::vector<std::string> added, changed, removed, errors;
    std::vector<std::string> resumed;  // API-registered sources that load again under the new policy
  };
  SourceFilesReload reload_source_files(const api::Request& request);  // applies, and logs each error
  SourceFilesReload apply_source_files(const api::Request& request);
  // The files of sources_dir, each definition checked against the schemas and policy in force;
  // those that fail are in errors and skipped_files.
  ingest::LoadedSources checked_source_files();
  // Keeps naming a source's department in the provenance of its records after it is removed.
  void remember_department(const ingest::RegisteredSource& source);
  // SIGHUP and POST /v1/admin/reload (hub_reload.cpp): the policy, the signing keys and TLS files
  // from the config file, and sources_dir. Each part is all-or-nothing (sources: each file); a
  // refused part keeps what is in force.
  struct ReloadResult {
    std::string policy_error;                  // empty: reloaded
    std::vector<std::string> policy_warnings;  // reloaded, but likely wrong (policy_loader.h)
    std::string keys_error;                    // empty: reloaded (or no keys configured)
    std::string active_kid;
    bool rotated = false;   // the active key changed
    std::string tls_error;  // empty: certificate, key and client CA reloaded
    // Settings edited in hub.yaml that only a restart applies (config_changes.h).
    std::vector<std::string> needs_restart;
    SourceFilesReload sources;
    // The audit log could not record the reload before it began: nothing was applied.
    bool not_audited = false;
    // Every part applied (a refused part keeps what was in force).
    [[nodiscard]] bool ok() const {
      return !not_audited && policy_error.empty() && keys_error.empty() && tls_error.empty() && sources.errors.empty();
    }
  };
  // Reloads and writes its audit entries: "reload" requested, before anything is applied (when
  // it cannot be written, nothing is: a grant or key must not come into force unrecorded), then
  // "reload" allowed (or refused if a part was refused), and before it "key_rotation" allowed
  // when the active key changed. One reload at a time, its
  // entries written before the next starts: reloads run on the handler pool, and two SIGHUPs in a
  // row could otherwise apply in one order and be audited in the other. `request` names who
  // asked, for these entries and those of the source changes.
  ReloadResult reload_and_audit(const api::Request& request);
  ReloadResult reload(const api::Request& request);  // REQUIRES: reload_mu_ held
  // Why `ring` may not replace the keys in force: it lacks a key that signed stored checkpoints
  // (named, with how many); empty when it may.
  [[nodiscard]] std::string keys_signing_stored_checkpoints_missing(const sign::KeyRing& ring) const;
  void reload_on_signal();  // SIGHUP: reload_and_audit by principal "signal:SIGHUP"
  std::mutex reload_mu_;
  void register_admin_reload_route();
  void register_audit_routes();   // hub_audit.cpp
  void register_metrics_route();  // hub_metrics.cpp
  api::AuditServices audit_services();
  // A request on the hub's own behalf (a signal, the retention purge) for audit entries: the
  // principal names what acted, as no certificate did.
  static api::Request internal_request(const std::string& principal_id);
  // An audit entry for an administrative change (reload, pull, source change). false: the entry
  // could not be written (logged); source writes then refuse to go ahead.
  bool audit_admin_change(const api::Request& request, std::string_view action, const std::string& target,
                          const std::string& outcome, int http_status);
  // audit.subject_retention: purges readable subjects older than the retention period (at start,
  // then hourly), logs and audits what it did.
  void purge_audit_subjects();
  // Stops the scheduler, waiting at most `grace` for running pulls; false if some are still
  // stuck on their department then (logged as pulls_abandoned).
  bool stop_pulls_within(std::chrono::milliseconds grace);
  void close_audit_and_checkpointers();
  void load_schemas();
  // Sources at start: files in sources_dir, then those registered through the API (meta.db).
  void load_sources();
  void load_api_sources();
  // An API-registered source as stored in meta.db, parsed and checked against `policy`; `problem`
  // says why it does not load.
  [[nodiscard]] std::shared_ptr<ingest::RegisteredSource> api_source_entry(const store::StoredSource& row,
                                                                           const access::Policy& policy) const;
  // At a reload, after the policy: API-registered sources checked again against the policy now in
  // force (hub_api_source_recheck.cpp). One that did not load at start for want of its department
  // loads now and is scheduled (`resumed`); one in force that no longer passes stays in force and
  // is named in `errors`, since a restart would not load it.
  void recheck_api_sources(const api::Request& request, SourceFilesReload& result);
  std::atomic<std::uint64_t> source_files_skipped_{0};  // set by load_sources and reload_source_files
  [[nodiscard]] admin::SourceCheckContext check_context(const access::Policy& policy) const;
  void start_ingest();
  void schedule(const ingest::RegisteredSource& source);
  // Stops a source's pulls and waits (bounded) for a running one to end; false on timeout.
  bool quiesce(const ingest::RegisteredSource& source);
  // Undoes quiesce when the change it was for did not happen: the source is pulled again.
  void resume_pulls(const ingest::RegisteredSource& source);
  // Takes a source out of the registry (and its cached record counts).
  void forget_source(const std::string& id);
  // A source read from a file of sources_dir, as the registry holds it.
  static std::shared_ptr<ingest::RegisteredSource> file_source(ingest::SourceDefinition definition);
  Status pull_source(const std::string& id);
  [[nodiscard]] std::shared_ptr<const ingest::RegisteredSource> find_source(const std::string& id) const;
  // The admin source routes (hub_sources.cpp).
  void register_source_routes();
  api::Response add_source(const api::Request& request);
  api::Response update_source(const api::Request& request, const std::string& id);
  api::Response delete_source(const api::Request& request, const std::string& id);
  // A retirement's work once it is recorded in meta.db: withdraw (or keep) the records, remove the
  // source; the number withdrawn.
  Result<std::int64_t> finish_retirement(const ingest::RegisteredSource& source, bool keep_records,
                                         const store::ChangeBy& by);
  // At start: a retirement the hub was killed in the middle of is finished (audited "completed").
  void resume_retirement(const std::shared_ptr<ingest::RegisteredSource>& entry, const store::Retirement& r);
  api::Response set_source_enabled(const api::Request& request, const std::string& id, bool enabled);
  // The normaliser for a dataset's schema.
  Result<std::unique_ptr<ingest::RowNormaliser>> make_normaliser(const std::string& dataset) const;

  HubConfig config_;
  metrics::Metrics metrics_;  // first: the audit log's last commits at shutdown still report to it
  store::Stores stores_;
  std::unique_ptr<ingest::LastGoodPulls> last_good_;  // over stores_.records: provenance.checked_at
  std::atomic<std::shared_ptr<const access::Policy>> policy_;
  const adapters::AdapterRegistry* adapters_ = nullptr;
  schema::SchemaSet schemas_;
  std::vector<std::string> datasets_;  // those with a schema
  matter::MatterCatalog matters_;
  // What schemas_dir and matters_dir held when they were loaded (dir_fingerprint.h): a reload
  // names them as needing a restart once their files change.
  std::string schemas_fingerprint_;
  std::string matters_fingerprint_;
  access::RateLimiter limiter_;
  ingest::SourceRegistry sources_;
  std::unique_ptr<store::SourceCatalog> catalog_;  // API-registered sources, in meta.db
  std::mutex source_writes_;                       // one source change at a time
  // Records per source by status, counted at most every 10 s (a count scans the source's index).
  std::map<std::string, std::int64_t> record_counts(const ingest::SourceDefinition& source);
  std::mutex counts_mu_;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::map<std::string, std::int64_t>>> counts_;
  std::unique_ptr<sign::ResponseSigner> signer_;  // null when no signing keys are configured
  std::unique_ptr<audit::AuditLog> audit_log_;    // after stores_ and signer_: closed (final checkpoint) before them
  api::AuditSink* audit_ = nullptr;               // the audit log; data routes answer 503 without it
  std::unique_ptr<ingest::Scheduler> scheduler_;
  std::atomic<bool> stopping_{false};  // tells running pulls to stop after their current batch
  std::mutex reconcile_mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_reconcile_;
  net::Router router_;
  std::unique_ptr<net::Server> server_;
  std::unique_ptr<PeriodicTask> subject_retention_;  // while run() runs, when audit.subject_retention is set
};

}  // namespace yici
