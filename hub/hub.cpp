#include "hub/hub.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "hub/admin/source_check.h"
#include "hub/api/status_handlers.h"
#include "hub/audit/audit_query.h"
#include "hub/audit/high_water.h"
#include "hub/audit/hmac_key.h"
#include "hub/audit/hmac_key_check.h"
#include "hub/core/dir_fingerprint.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/core/version.h"
#include "hub/ingest/pull_job.h"
#include "hub/ingest/reconcile.h"
#include "hub/ingest/restored_health.h"
#include "hub/ingest/source_loader.h"
#include "hub/net/server.h"
#include "hub/net/tls_context.h"
#include "hub/policy_loader.h"
#include "hub/schema/normaliser.h"

namespace yici {

Result<std::unique_ptr<Hub>> Hub::create(HubConfig config, const adapters::AdapterRegistry& adapters) {
  std::unique_ptr<Hub> hub(new Hub());
  hub->config_ = std::move(config);
  hub->adapters_ = &adapters;
  hub->load_schemas();
  // A schema file that does not load stops the start, as a policy or matter file does: skipped,
  // its dataset was simply missing from a running hub (its sources unpulled, its lookups 404)
  // unless a matter or grant happened to name it.
  if (!hub->schemas_.problems.empty()) {
    std::string message = "schema files in " + hub->config_.schemas_dir + " that do not load (yici-ctl schema check):";
    for (const auto& p : hub->schemas_.problems) message += " " + p + ";";
    message.pop_back();
    return Error::invalid(message);
  }
  std::error_code no_dir;
  const bool matters_dir_missing = !std::filesystem::is_directory(hub->config_.matters_dir, no_dir);
  const auto with_matters_dir = [&](Error e) {
    // A grant naming a matter is reported first; the cause may be the directory itself.
    if (matters_dir_missing) e.message += "; matters_dir " + hub->config_.matters_dir + " is not a directory";
    return e;
  };
  if (matters_dir_missing) {
    log::warn("matters_dir_missing", {{"matters_dir", hub->config_.matters_dir},
                                      {"action",
                                       "no matters are loaded: set matters_dir in hub.yaml to the "
                                       "directory of matter files (relative paths are from the working "
                                       "directory)"}});
  }
  hub->matters_fingerprint_ = yaml_dir_fingerprint(hub->config_.matters_dir);
  auto matters = matter::MatterCatalog::load_dir(hub->config_.matters_dir);
  if (!matters) return with_matters_dir(matters.take_error());
  hub->matters_ = std::move(*matters);
  if (auto st = check_matters(hub->matters_, hub->schemas_); !st.ok()) return with_matters_dir(st.take_error());
  auto policy = load_policy(hub->config_.policy, hub->matters_, hub->schemas_);
  if (!policy) return with_matters_dir(policy.take_error());
  hub->policy_.store(std::move(*policy));
  // Keys and certificates are checked before the data directory is opened: a start refused for a
  // key readable by others had already made a new data directory, with an audit log and its key.
  std::shared_ptr<const sign::KeyRing> ring;
  if (!hub->config_.signing_keys.empty()) {
    YICI_TRY(ring, load_key_ring(hub->config_.signing_keys));
  }
  YICI_TRY(auto tls_checked, net::make_server_tls_context(hub->config_.tls));
  // So is the port: a start refused for a port in use made the data directory first.
  YICI_TRY(auto listener, net::Listener::bind(hub->config_.listen));
  YICI_TRY(hub->stores_,
           store::Stores::open(hub->config_.data_dir, {.new_audit_log = hub->config_.overrides.new_audit_log}));
  hub->last_good_ = std::make_unique<ingest::LastGoodPulls>(*hub->stores_.records);
  if (hub->stores_.new_audit_log) {
    log::warn("audit_log_started_anew",
              {{"data_dir", hub->config_.data_dir},
               {"log_id", hub->stores_.log_id},
               {"action",
                "--new-audit-log: audit.db was missing and a new, empty log was begun under a new log id; record "
                "why, and keep the backup of the lost log if there is one. Do not leave the flag in the start "
                "command: with it a hub whose audit.db is there refuses to start"}});
  }
  YICI_TRY(const std::uint64_t audit_entries, audit::stored_entry_count(*hub->stores_.audit));
  YICI_TRY(auto hmac_key,
           audit::load_or_create_hmac_key(hub->config_.audit.hmac_key_file, hub->config_.data_dir, audit_entries));
  YICI_TRY_STATUS(audit::check_hmac_key_matches_log(
      *hub->stores_.audit, hmac_key, audit::hmac_key_path(hub->config_.audit.hmac_key_file, hub->config_.data_dir)));
  audit::AuditLogOptions audit_options;
  audit_options.max_group = static_cast<std::size_t>(hub->config_.audit.group_commit_max);
  audit_options.on_commit = [metrics = &hub->metrics_](double seconds) { metrics->audit_committed(seconds); };
  YICI_TRY(hub->audit_log_, audit::AuditLog::open(*hub->stores_.audit, hmac_key, std::move(audit_options)));
  hub->audit_ = hub->audit_log_.get();
  YICI_TRY(const auto high_water, audit::load_high_water(*hub->stores_.meta));
  YICI_TRY_STATUS(audit::check_high_water(high_water, hub->stores_.log_id, hub->audit_log_->tree(),
                                          (std::filesystem::path(hub->config_.data_dir) / "audit.db").string()));
  if (!high_water || high_water->log_id != hub->stores_.log_id) {
    // No mark for this log yet (a hub from before marks were kept): its newest stored checkpoint.
    YICI_TRY(const auto newest, audit::load_checkpoint(*hub->stores_.audit, std::nullopt, hub->stores_.log_id));
    if (newest) YICI_TRY_STATUS(audit::save_high_water(*hub->stores_.meta, *newest));
  }
  log::info("audit_log_opened", {{"entries", hub->audit_log_->size()}, {"log_id", hub->stores_.log_id}});
  if (ring) {
    log::info("signing_keys_loaded", {{"active_kid", ring->active().kid}, {"keys", ring->keys().size()}});
    if (const auto missing = hub->keys_signing_stored_checkpoints_missing(*ring); !missing.empty()) {
      log::warn("signing_key_of_checkpoints_missing",
                {{"error", missing},
                 {"action",
                  "add the key back to signing.keys with state: retired and reload, so that the JWKS "
                  "verifies every stored checkpoint"}});
    }
    hub->signer_ = std::make_unique<sign::ResponseSigner>(std::move(ring));
  } else {
    log::warn("no_signing_keys", {{"action", "add signing.keys to the hub config; /readyz stays 503 until then"}});
  }
  {
    Hub* self = hub.get();
    audit::CheckpointPolicy checkpoints;
    checkpoints.log_id = hub->stores_.log_id;
    checkpoints.every = static_cast<std::uint64_t>(hub->config_.audit.checkpoint_every);
    checkpoints.interval = hub->config_.audit.checkpoint_interval;
    checkpoints.keys = [self]() -> std::shared_ptr<const sign::KeyRing> {
      return self->signer_ ? self->signer_->ring() : nullptr;
    };
    checkpoints.on_stored = [self](const audit::Checkpoint& checkpoint) {
      if (auto st = audit::save_high_water(*self->stores_.meta, checkpoint); !st.ok()) {
        log::error("audit_high_water_not_saved",
                   {{"tree_size", checkpoint.tree_size},
                    {"error", st.error().message},
                    {"action", "meta.db cannot be written; a rolled-back audit.db would not be noticed at start"}});
      }
    };
    hub->audit_log_->set_checkpoint_policy(std::move(checkpoints));
  }
  hub->load_sources();
  hub->register_routes();

  net::ServerOptions options{hub->config_.listen,    hub->config_.tls,
                             hub->config_.limits,    hub->config_.threads,
                             std::move(tls_checked), std::make_shared<net::Listener>(std::move(listener))};
  // Lookups and bundles run on the I/O threads and wait for their audit commit without holding a
  // thread (api/commit_deferral.h): a lookup then crosses two threads instead of four. Measured in
  // tools/dev bench; see the README's Performance section.
  options.runs_inline = &Hub::runs_on_io_thread;
  options.runs_apart = [](const api::Request& r) { return r.path.starts_with("/v1/admin/"); };
  options.on_response = [self = hub.get()](const api::Request& r, int status, double seconds) {
    self->metrics_.observe_request(r.route.empty() ? "unmatched" : r.route, r.method, status,
                                   r.principal ? r.principal->id : "", seconds);
  };
  options.on_handshake_failure = [self = hub.get()](std::string_view kind) {
    self->metrics_.tls_handshake_failed(kind);
  };
  options.on_rejection = [self = hub.get()](int status, std::string_view code) {
    self->metrics_.request_rejected(status, code);
  };
  options.on_connection_refused = [self = hub.get()](std::string_view limit) {
    self->metrics_.connection_refused(limit);
  };
  Hub* self = hub.get();
  YICI_TRY(hub->server_, net::Server::create(options, [self](api::Request& r) { return self->handle(r); }));
  return hub;
}

Hub::~Hub() = default;

std::uint16_t Hub::port() const { return server_->port(); }

void Hub::register_routes() {
  router_.add("GET", "/healthz", net::Access::kOpen,
              [](const api::Request&, const net::PathParams&) { return api::healthz(); });
  router_.add("GET", "/readyz", net::Access::kOpen, [this](const api::Request&, const net::PathParams&) {
    api::Readiness r;
    r.config_loaded = true;
    r.stores_open = stores_.records != nullptr && stores_.audit != nullptr && stores_.meta != nullptr;
    r.keys_loaded = server_ != nullptr && signer_ != nullptr;  // TLS and response-signing keys
    r.draining = server_ && server_->draining();
    r.audit_writable = audit_log_ != nullptr && !audit_log_->failing();
    return api::readyz(r);
  });
  router_.add("GET", "/.well-known/jwks.json", net::Access::kOpen, [this](const api::Request&, const net::PathParams&) {
    return api::json_response(200, signer_ ? signer_->ring()->jwks_json() : R"({"keys":[]})");
  });
  router_.add("GET", "/v1/whoami", net::Access::kAnyPrincipal,
              [](const api::Request& req, const net::PathParams&) { return api::whoami(req); });
  register_lookup_routes();
  register_admin_reload_route();
  register_audit_routes();
  register_metrics_route();

  register_source_routes();
}

std::shared_ptr<const ingest::RegisteredSource> Hub::find_source(const std::string& id) const {
  return sources_.find(id);
}

Result<std::unique_ptr<ingest::RowNormaliser>> Hub::make_normaliser(const std::string& dataset) const {
  auto schema = schemas_.find(dataset);
  if (!schema) {
    return Error::unavailable("no schema is loaded for dataset \"" + dataset +
                              "\" (schemas_dir: " + config_.schemas_dir + ")");
  }
  return std::unique_ptr<ingest::RowNormaliser>(std::make_unique<schema::Normaliser>(std::move(schema)));
}

Status Hub::pull_source(const std::string& id) {
  const auto entry = find_source(id);
  if (entry == nullptr) return Error::not_found("no source " + id + " (it was retired)");
  if (!entry->problem.empty()) return Error::invalid("source " + id + " does not load: " + entry->problem);
  if (stopping_) return Error::unavailable("the hub is stopping");
  const ingest::SourceDefinition* d = &entry->definition;
  auto normaliser = make_normaliser(d->dataset);
  if (!normaliser) {
    // Recorded like any failed pull, so the administrator sees it in the source's history.
    store::PullRun run;
    run.source = id;
    run.started_at = run.finished_at = format_rfc3339_micros(now_utc());
    run.mode = "none";
    run.error = normaliser.error().message;
    (void)stores_.records->record_pull_run(run);
    return normaliser.take_error();
  }
  ingest::PullOptions options;
  options.batch_size = config_.ingest.batch_size;
  options.cancel = entry->cancel.get();
  const auto started = std::chrono::steady_clock::now();
  auto run = ingest::run_pull(*d, *stores_.records, **normaliser, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  {
    std::lock_guard lock(counts_mu_);  // the next view counts afresh
    counts_.erase(id);
  }
  if (!run.ok()) {
    metrics_.pull_finished(id, false, 0, 0, 0, seconds);
    return run.take_error();
  }
  last_good_->record(*run);
  metrics_.pull_finished(id, true, run->rows_read, run->counts.inserted + run->counts.updated + run->counts.unchanged,
                         run->counts.quarantined, seconds);
  if (d->reconcile_every.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    bool due = false;
    {
      std::lock_guard lock(reconcile_mu_);
      auto it = last_reconcile_.find(id);
      due = it == last_reconcile_.end() || now - it->second >= d->reconcile_every;
      if (due) last_reconcile_[id] = now;
    }
    if (due) {
      auto withdrawn = ingest::reconcile_keys(*d, *stores_.records);
      if (!withdrawn.ok()) {
        // Due again at the next pull: a refused or failed reconciliation keeps the source failing
        // (health, pull_failed) until one passes, rather than waiting a whole interval unseen.
        std::lock_guard lock(reconcile_mu_);
        last_reconcile_.erase(id);
        return withdrawn.take_error();
      }
    }
  }
  return {};
}

void Hub::start_ingest() {
  ingest::RetryPolicy retry{config_.ingest.max_retries, config_.ingest.retry_base, config_.ingest.retry_max};
  scheduler_ =
      std::make_unique<ingest::Scheduler>(config_.ingest.max_concurrent_pulls, retry, [this](const std::string& id) {
        Status st = pull_source(id);
        if (!st.ok()) {
          log::warn("pull_failed", {{"source", id}, {"error", st.error().message}});
        }
        return st;
      });
  for (const auto& s : sources_.list()) schedule(*s);
}

void Hub::schedule(const ingest::RegisteredSource& source) {
  if (scheduler_ && source.schedulable()) {
    // A source new to the scheduler starts with the health its pull history left (a restart must
    // not reset a failing source's clock); failures in a row beyond this many are counted from the
    // oldest of them. A source it knows keeps its health, so its history is not read again.
    constexpr int kHealthRuns = 1000;
    std::optional<ingest::SourceHealth> restored;
    if (!scheduler_->health(source.definition.id)) {
      auto runs = stores_.records->recent_pull_runs(source.definition.id, kHealthRuns);
      if (runs.ok()) {
        restored = ingest::health_from_runs(*runs);
      } else {
        log::warn("source_health_not_restored", {{"source", source.definition.id}, {"error", runs.error().message}});
      }
    }
    scheduler_->upsert(source.definition.id, {source.definition.every, source.definition.jitter}, restored);
  }
}

bool Hub::quiesce(const ingest::RegisteredSource& source) {
  source.cancel->store(true);
  if (!scheduler_) return true;
  scheduler_->remove(source.definition.id);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (scheduler_->busy(source.definition.id)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void Hub::resume_pulls(const ingest::RegisteredSource& source) {
  source.cancel->store(false);
  schedule(source);
}

void Hub::forget_source(const std::string& id) {
  sources_.erase(id);
  std::lock_guard lock(counts_mu_);
  counts_.erase(id);
}

std::shared_ptr<ingest::RegisteredSource> Hub::file_source(ingest::SourceDefinition definition) {
  auto entry = std::make_shared<ingest::RegisteredSource>();
  entry->definition = std::move(definition);
  entry->managed_by = ingest::ManagedBy::kFile;
  return entry;
}

api::Response Hub::handle(api::Request& request) {
  if (request.peer.has_certificate && !request.peer.certificate_refused) {
    auto policy = policy_.load();
    if (const access::Principal* p = policy->by_cert_cn(request.peer.subject_cn)) {
      request.principal = std::shared_ptr<const access::Principal>(policy, p);
    }
  }
  return router_.dispatch(request, &request.route);
}

void Hub::load_schemas() {
  schemas_fingerprint_ = yaml_dir_fingerprint(config_.schemas_dir);
  schemas_ = schema::SchemaSet::load_dir(config_.schemas_dir);
  for (const auto& p : schemas_.problems) {
    log::error("schema_not_loaded", {{"error", p}, {"action", "run yici-ctl schema check on the file and fix it"}});
  }
  datasets_.clear();
  for (const auto& [dataset, s] : schemas_.by_dataset) {
    datasets_.push_back(dataset);
    log::info("schema_loaded",
              {{"dataset", dataset}, {"version", s->version}, {"fields", s->fields.size()}, {"file", s->origin}});
  }
}

admin::SourceCheckContext Hub::check_context(const access::Policy& policy) const {
  return {&schemas_,
          &policy,
          config_.schemas_dir,
          config_.policy,
          config_.ingest.api_source_paths,
          config_.ingest.api_source_env};
}

void Hub::load_sources() {
  if (std::error_code ec; !std::filesystem::is_directory(config_.sources_dir, ec)) {
    log::warn("sources_dir_missing",
              {{"path", config_.sources_dir},
               {"action",
                "no file-managed sources are loaded: check sources_dir in hub.yaml (or --sources-dir); ignore this "
                "if every source is registered through the admin API"}});
    load_api_sources();
    return;  // not also a source_skipped "file" that no source was in
  }
  auto loaded = checked_source_files();
  for (auto& s : loaded.sources) {
    log::info("source_loaded",
              {{"source", s.id}, {"dataset", s.dataset}, {"adapter", s.adapter_type}, {"file", s.origin}});
    sources_.put(file_source(std::move(s)));
  }
  for (const auto& e : loaded.errors) {
    log::error("source_skipped",
               {{"error", e.message},
                {"action",
                 "fix the file and reload (SIGHUP or yici-ctl reload); the other sources are loaded. Nothing pulls "
                 "this source meanwhile: its records are served, marked stale once older than ingest.stale_after"}});
  }
  source_files_skipped_ = loaded.errors.size();
  load_api_sources();
}

ingest::LoadedSources Hub::checked_source_files() {
  auto loaded = ingest::load_sources_dir(config_.sources_dir, *adapters_);
  const auto policy = policy_.load();
  std::vector<ingest::SourceDefinition> fit;
  for (auto& s : loaded.sources) {
    // A source must feed a dataset the hub has a schema for, through fields that schema has.
    const auto problems = admin::check_source(s, check_context(*policy));
    if (!problems.empty()) {
      loaded.errors.push_back(Error::invalid(s.origin + ": " + admin::join_problems(problems)));
      loaded.skipped_files.push_back(s.origin);
      continue;
    }
    fit.push_back(std::move(s));
  }
  loaded.sources = std::move(fit);
  return loaded;
}

int Hub::run() {
  log::info("hub_started", {{"listen", ListenAddress{config_.listen.host, server_->port()}.to_string()},
                            {"data_dir", config_.data_dir},
                            {"version", version()}});
  start_ingest();
  if (config_.audit.subject_retention.count() > 0) {
    subject_retention_ =
        std::make_unique<PeriodicTask>("audit-retention", std::chrono::hours(1), [this] { purge_audit_subjects(); });
  }
  server_->run([this] { reload_on_signal(); });
  // From here a second SIGTERM/SIGINT ends the process at once (the server no longer handles them).
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGINT, SIG_DFL);
  stopping_ = true;
  subject_retention_.reset();  // a purge in progress finishes its batch
  sources_.cancel_all();
  if (!stop_pulls_within(config_.limits.shutdown_grace)) {
    // A pull is waiting on a department that does not answer (a REST read, a PostgreSQL fetch).
    // Everything it committed is committed, batch by batch; the rest is read again at the next
    // start. Close the audit log (its final checkpoint) and leave without waiting for it.
    close_audit_and_checkpointers();
    log::warn("hub_stopped", {{"abandoned_pulls", true}, {"exit_code", 0}});
    std::fflush(nullptr);
    std::_Exit(0);
  }
  close_audit_and_checkpointers();
  // A stop forced by a second signal exits 128 + the signal, as a process the signal killed, so
  // that a supervisor can tell it from a graceful stop (0).
  const int forced_by = server_->forced_by();
  const int exit_code = forced_by != 0 ? 128 + forced_by : 0;
  log::info("hub_stopped", {{"forced", forced_by != 0}, {"exit_code", exit_code}});
  return exit_code;
}

// Closed before hub_stopped, the last line: the audit log's final checkpoint, and the WAL
// checkpointers' last round (which logs wal_checkpoint_failed on a full disk), are logged first.
void Hub::close_audit_and_checkpointers() {
  audit_log_.reset();
  stores_.audit_checkpoints.reset();
  stores_.records_checkpoints.reset();
}

bool Hub::stop_pulls_within(std::chrono::milliseconds grace) {
  const auto running = [this] {
    std::string ids;
    for (const auto& s : sources_.list()) {
      if (scheduler_->busy(s->definition.id)) ids += (ids.empty() ? "" : ",") + s->definition.id;
    }
    return ids;
  };
  if (const std::string ids = running(); !ids.empty()) {
    log::info("pulls_stopping", {{"sources", ids}, {"grace_ms", grace.count()}});
  }
  // Detached: if a pull never returns, nothing may wait for this thread (the process leaves).
  std::promise<void> done;
  auto stopped = done.get_future();
  std::thread([this, done = std::move(done)]() mutable {
    scheduler_->stop();  // running pulls stop after their current batch
    done.set_value();
  }).detach();
  if (stopped.wait_for(grace) == std::future_status::ready) return true;
  log::error("pulls_abandoned",
             {{"sources", running()},
              {"grace_ms", grace.count()},
              {"action",
               "their departments did not answer within the shutdown grace; committed batches are kept "
               "and the next start reads the rest again; check those departments' services"}});
  return false;
}

}  // namespace yici
