// Source administration: the /v1/admin/sources routes. Sources from sources_dir are read-only
// here (file-managed); sources registered through the API are validated (shape, schema, policy,
// a live connection and a sample through the normaliser), kept in meta.db with every previous
// version, scheduled at once, and retired with their records withdrawn or kept.
#include <boost/json.hpp>

#include "hub/admin/source_env.h"
#include "hub/admin/source_paths.h"
#include "hub/admin/source_probe.h"
#include "hub/api/admin_quarantine.h"
#include "hub/api/admin_sources.h"
#include "hub/audit/audit_actions.h"
#include "hub/core/json_text.h"
#include "hub/core/log.h"
#include "hub/hub.h"

namespace yici {
namespace {

constexpr std::size_t kMaxDefinitionBytes = std::size_t{64} * 1024;
// The reasons sources show and every quarantine page list (most rows first); past them, the
// entries say.
constexpr int kShownQuarantineReasons = 20;

// Limits for a definition in a request body: small, shallow, no alias expansion to speak of.
YamlLimits definition_limits() {
  YamlLimits limits;
  limits.max_bytes = kMaxDefinitionBytes;
  limits.max_depth = 8;
  limits.max_nodes = 2000;
  return limits;
}

// The one yes/no query parameter a source write takes: absent, false or 0 is no; true, 1 or a
// bare name is yes. Any other value is refused, and so is any other parameter or this one given
// twice, so that a typo (?dry_run=yes, ?dryrun=true, ?keep-records=true) never saves a source or
// withdraws records: an unknown parameter was ignored, and the request went ahead without it.
Result<bool> flag(const api::Request& request, std::string_view name) {
  const std::string* v = nullptr;
  for (const auto& [key, value] : request.query) {
    if (key != name) {
      return Error::invalid("unknown parameter \"" + key + "\": this request takes only " + std::string(name) +
                            " (true or false)");
    }
    if (v != nullptr) return Error::invalid(std::string(name) + " is given more than once");
    v = &value;
  }
  if (v == nullptr || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1" || v->empty()) return true;
  return Error::invalid(std::string(name) + " must be true or false");
}

api::Response bad_flag(const Error& e) { return api::error_response(400, "bad_parameter", e.message); }

api::Response refused(const std::vector<admin::SourceProblem>& problems, const std::string& id = "") {
  boost::json::array list;
  for (const auto& p : problems) list.push_back(boost::json::object{{"path", p.path}, {"message", p.message}});
  boost::json::object error{{"code", "invalid_source"},
                            {"message", "source definition refused: " + admin::join_problems(problems)},
                            {"problems", std::move(list)}};
  if (!id.empty()) error["source"] = id;
  return api::json_response(422, to_json_text(boost::json::object{{"error", std::move(error)}}));
}

api::Response unknown_source(const std::string& id) {
  return api::error_response(404, "unknown_source", "no source \"" + id + "\"");
}

api::Response file_managed(const ingest::RegisteredSource& s) {
  return api::error_response(409, "file_managed",
                             "source " + s.definition.id + " is managed by the file " + s.definition.origin +
                                 "; change that file and reload the hub (SIGHUP or yici-ctl reload) instead: the API "
                                 "changes only sources registered through it");
}

// Keys that would carry a secret value, refused with a pointer to the reference keys.
void refuse_inline_secrets(const YamlDoc& doc, std::vector<admin::SourceProblem>& problems) {
  const YAML::Node adapter = doc.root()["adapter"];
  // Missing: an invalid node, which throws when asked its type (the definition's own check names
  // the missing key).
  if (!adapter.IsDefined() || !adapter.IsMap()) return;
  for (const char* key : {"password", "token", "secret", "api_key"}) {
    if (adapter[key].IsDefined()) {
      problems.push_back({std::string("adapter.") + key,
                          "secrets are not accepted in a definition: give a reference instead (password_file or "
                          "password_env for postgres, token_file for rest); the value was not stored"});
    }
  }
}

struct Submission {
  std::optional<ingest::SourceDefinition> definition;
  std::vector<admin::SourceProblem> problems;
  admin::ProbeResult probe;
};

}  // namespace

void Hub::load_api_sources() {
  catalog_ = std::make_unique<store::SourceCatalog>(*stores_.meta);
  auto stored = catalog_->load_all();
  if (!stored) {
    log::error("api_sources_unreadable", {{"error", stored.error().message},
                                          {"action", "check meta.db in the data directory; file sources still load"}});
    return;
  }
  const auto policy = policy_.load();
  for (auto& row : *stored) {
    if (auto existing = sources_.find(row.id); existing != nullptr) {
      log::error("source_shadowed", {{"source", row.id},
                                     {"file", existing->definition.origin},
                                     {"action",
                                      "a file and an API registration share this id; the file wins. "
                                      "Retire one of them"}});
      continue;
    }
    auto entry = api_source_entry(row, *policy);
    if (row.retiring) {
      resume_retirement(entry, *row.retiring);
      continue;
    }
    if (entry->problem.empty()) {
      log::info("source_loaded", {{"source", row.id},
                                  {"dataset", entry->definition.dataset},
                                  {"adapter", entry->definition.adapter_type},
                                  {"managed_by", "api"},
                                  {"version", row.version}});
    } else {
      log::error("source_invalid", {{"source", row.id},
                                    {"error", entry->problem},
                                    {"action", "fix it with PUT /v1/admin/sources/" + row.id +
                                                   " (yici-ctl sources update); it is not pulled until then"}});
    }
    sources_.put(std::move(entry));
  }
}

std::shared_ptr<ingest::RegisteredSource> Hub::api_source_entry(const store::StoredSource& row,
                                                                const access::Policy& policy) const {
  auto entry = std::make_shared<ingest::RegisteredSource>();
  entry->managed_by = ingest::ManagedBy::kApi;
  entry->version = row.version;
  entry->definition_text = row.definition;
  entry->updated_at = row.updated_at;
  entry->updated_by = row.updated_by;
  entry->definition.id = row.id;
  entry->definition.enabled = row.enabled;
  const std::string origin = "source " + row.id + " v" + std::to_string(row.version) + " (meta.db)";
  auto doc = YamlDoc::parse(row.definition, origin, definition_limits());
  auto parsed = doc ? ingest::parse_source_definition(*doc, *adapters_) : Result<ingest::SourceDefinition>(doc.error());
  if (!parsed) {
    entry->problem = parsed.error().message;
    return entry;
  }
  parsed->enabled = row.enabled;
  const auto context = check_context(policy);
  auto problems = admin::check_source(*parsed, context);
  // Checked again at each start: a directory taken off ingest.api_source_paths stops its sources.
  const auto paths = admin::check_api_source_paths(*parsed, context.api_source_paths);
  problems.insert(problems.end(), paths.begin(), paths.end());
  const auto env = admin::check_api_source_env(*parsed, context.api_source_env);
  problems.insert(problems.end(), env.begin(), env.end());
  // And at every open: a link placed in an allowed directory later is refused then.
  if (parsed->adapter) parsed->adapter->confine_files(adapters::FileConfinement::within(context.api_source_paths));
  if (!problems.empty()) entry->problem = admin::join_problems(problems);
  entry->definition = std::move(*parsed);
  return entry;
}

void Hub::resume_retirement(const std::shared_ptr<ingest::RegisteredSource>& entry, const store::Retirement& r) {
  const std::string id = entry->definition.id;
  auto withdrawn = finish_retirement(*entry, r.keep_records, {r.requested_by, r.request_id});
  if (!withdrawn) {
    entry->problem = "its retirement (requested by " + r.requested_by + " at " + r.requested_at +
                     ") was interrupted and could not be finished: " + withdrawn.error().message + "; retire it again";
    log::error("source_retirement_unfinished",
               {{"source", id},
                {"error", withdrawn.error().message},
                {"action", "the source is not pulled; retire it again (yici-ctl sources retire " + id + ")"}});
    sources_.put(entry);  // listed as invalid, never pulled
    return;
  }
  log::warn("source_retirement_finished",
            {{"source", id},
             {"records_withdrawn", *withdrawn},
             {"records_kept", r.keep_records},
             {"requested_by", r.requested_by},
             {"requested_at", r.requested_at},
             {"request_id", r.request_id},
             {"action", "the hub stopped part way through retiring this source; the retirement is now complete"}});
  // Linked to the request that began it; the requester names the hub, which finished it.
  api::Request request = internal_request("hub:restart");
  request.request_id = r.request_id;
  audit_admin_change(request, audit::action::kSourceDelete, id, "completed", 200);
}

std::map<std::string, std::int64_t> Hub::record_counts(const ingest::SourceDefinition& source) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(counts_mu_);
    auto it = counts_.find(source.id);
    if (it != counts_.end() && now - it->second.first < std::chrono::seconds(10)) return it->second.second;
  }
  auto counted = stores_.records->count_by_status(source.dataset, source.id);
  if (!counted) return {};
  std::lock_guard lock(counts_mu_);
  counts_[source.id] = {now, *counted};
  return std::move(*counted);
}

void Hub::register_source_routes() {
  auto view_of = [this](const std::shared_ptr<const ingest::RegisteredSource>& s) {
    api::SourceView v;
    v.source = s;
    const auto& d = s->definition;
    if (scheduler_) v.health = scheduler_->health(d.id);
    if (auto runs = stores_.records->recent_pull_runs(d.id, 5); runs.ok()) v.recent_pulls = std::move(*runs);
    if (auto q = stores_.records->quarantine_count(d.id); q.ok()) v.quarantined = *q;
    v.records = record_counts(d);
    // Only whether a saved position exists: the position itself is a key value (often a subject).
    if (auto progress = stores_.records->load_progress(d.id); progress.ok()) {
      v.full_pull_unfinished = progress->has_value();
    }
    return v;
  };
  router_.add("GET", "/v1/admin/sources", net::Access::kAdmin,
              [this, view_of](const api::Request&, const net::PathParams&) {
                std::vector<api::SourceView> views;
                for (const auto& s : sources_.list()) views.push_back(view_of(s));
                return api::list_sources(views);
              });
  router_.add("POST", "/v1/admin/sources", net::Access::kAdmin,
              [this](const api::Request& req, const net::PathParams&) { return add_source(req); });
  router_.add("GET", "/v1/admin/sources/{id}", net::Access::kAdmin,
              [this, view_of](const api::Request&, const net::PathParams& p) {
                auto s = find_source(p.at("id"));
                if (s == nullptr) return unknown_source(p.at("id"));
                api::SourceView v = view_of(s);
                if (v.quarantined > 0) {
                  if (auto reasons = stores_.records->quarantine_reasons(s->definition.id, kShownQuarantineReasons);
                      reasons.ok()) {
                    v.quarantine_reasons = std::move(*reasons);
                  }
                }
                return api::show_source(v);
              });
  router_.add("PUT", "/v1/admin/sources/{id}", net::Access::kAdmin,
              [this](const api::Request& req, const net::PathParams& p) { return update_source(req, p.at("id")); });
  router_.add("DELETE", "/v1/admin/sources/{id}", net::Access::kAdmin,
              [this](const api::Request& req, const net::PathParams& p) { return delete_source(req, p.at("id")); });
  router_.add(
      "POST", "/v1/admin/sources/{id}/enable", net::Access::kAdmin,
      [this](const api::Request& req, const net::PathParams& p) { return set_source_enabled(req, p.at("id"), true); });
  router_.add(
      "POST", "/v1/admin/sources/{id}/disable", net::Access::kAdmin,
      [this](const api::Request& req, const net::PathParams& p) { return set_source_enabled(req, p.at("id"), false); });
  router_.add("GET", "/v1/admin/sources/{id}/versions", net::Access::kAdmin,
              [this](const api::Request&, const net::PathParams& p) {
                auto s = find_source(p.at("id"));
                auto history = catalog_->history(p.at("id"));
                if (!history) return api::error_response(503, "store_unavailable", "meta.db is unavailable");
                if (s == nullptr && history->empty()) return unknown_source(p.at("id"));
                if (s != nullptr && s->managed_by == ingest::ManagedBy::kFile) return file_managed(*s);
                return api::source_versions(p.at("id"), *history);
              });
  auto quarantine = [this](const api::Request& req, const std::shared_ptr<const ingest::RegisteredSource>& s) {
    auto paging = api::quarantine_paging(req);
    if (!paging) return api::error_response(400, "bad_paging", paging.error().message);
    auto entries = stores_.records->list_quarantine(s->definition.id, paging->second, paging->first);
    auto total = stores_.records->quarantine_count(s->definition.id);
    auto reasons = stores_.records->quarantine_reasons(s->definition.id, kShownQuarantineReasons);
    if (!entries || !total || !reasons) {
      return api::error_response(503, "store_unavailable", "the record store is unavailable");
    }
    const auto schema = schemas_.find(s->definition.dataset);
    return api::quarantine_page(s->definition, schema.get(), *entries, {.total = *total, .by_reason = *reasons},
                                paging->first, req.path);
  };
  router_.add("GET", "/v1/admin/sources/{id}/quarantine", net::Access::kAdmin,
              [this, quarantine](const api::Request& req, const net::PathParams& p) {
                auto s = find_source(p.at("id"));
                if (s == nullptr) return unknown_source(p.at("id"));
                return quarantine(req, s);
              });
  // The same page for the department that owns the source: the rows it has to fix, without an
  // administrator passing them on. Another department's, or an auditor's, request is refused.
  router_.add("GET", "/v1/sources/{id}/quarantine", net::Access::kAnyPrincipal,
              [this, quarantine](const api::Request& req, const net::PathParams& p) {
                auto s = find_source(p.at("id"));
                if (s == nullptr) return unknown_source(p.at("id"));
                const access::Principal& who = *req.principal;
                const bool owner = who.kind == access::PrincipalKind::kDepartment && who.id == s->definition.department;
                if (who.kind != access::PrincipalKind::kAdmin && !owner) {
                  return api::error_response(403, "not_source_department",
                                             "source " + s->definition.id + " belongs to department " +
                                                 s->definition.department +
                                                 "; a department reads the quarantine of its own sources only");
                }
                return quarantine(req, s);
              });
  router_.add("POST", "/v1/admin/sources/{id}/pull", net::Access::kAdmin,
              [this](const api::Request& req, const net::PathParams& p) {
                auto s = find_source(p.at("id"));
                if (s == nullptr) return unknown_source(p.at("id"));
                if (!s->problem.empty()) {
                  return api::error_response(409, "source_invalid",
                                             "source " + s->definition.id + " does not load: " + s->problem);
                }
                if (!s->definition.enabled) {
                  return api::error_response(409, "source_disabled",
                                             "source " + s->definition.id +
                                                 " is disabled; enable it first (yici-ctl sources enable " +
                                                 s->definition.id + ")");
                }
                // Audited before the pull starts: it was started, and answered 202, when the entry
                // could not be written.
                if (!audit_admin_change(req, audit::action::kSourcePull, s->definition.id, "allowed", 202)) {
                  return api::error_response(503, "audit_unavailable",
                                             "the audit log cannot record this pull, so it was not started; try "
                                             "again later");
                }
                if (auto st = scheduler_->trigger(s->definition.id); !st.ok()) {
                  audit_admin_change(req, audit::action::kSourcePull, s->definition.id, "failed", 409);
                  return api::error_response(409, "not_scheduled", st.error().message);
                }
                log::info("pull_triggered",
                          {{"source", s->definition.id}, {"by", req.principal->id}, {"request_id", req.request_id}});
                return api::json_response(202, R"({"triggered":")" + s->definition.id + R"("})");
              });
}

namespace {

// Parses and checks a definition from a request body; `current` is the source being replaced
// (PUT) or null (POST). Probes the source only when everything else is right.
Submission examine(const api::Request& request, const adapters::AdapterRegistry& adapters,
                   const ingest::SourceRegistry& sources, const schema::SchemaSet& schemas,
                   const admin::SourceCheckContext& context, const ingest::RegisteredSource* current) {
  Submission out;
  if (request.body.empty()) {
    out.problems.push_back({"", "the body is empty: send the source definition as YAML or JSON (CONTRACT.md)"});
    return out;
  }
  auto doc = YamlDoc::parse(request.body, "request body", definition_limits());
  if (!doc) {
    out.problems.push_back(admin::problem_from(doc.error()));
    return out;
  }
  if (!doc->root().IsMap()) {
    out.problems.push_back({"", "the body must be a mapping (a source definition), not a list or a scalar"});
    return out;
  }
  refuse_inline_secrets(*doc, out.problems);
  if (!out.problems.empty()) return out;
  std::vector<Error> parse_problems;
  auto parsed = ingest::parse_source_definition(*doc, adapters, &parse_problems);
  if (!parsed) {
    for (const Error& e : parse_problems) out.problems.push_back(admin::problem_from(e));
    return out;
  }
  ingest::SourceDefinition& d = *parsed;
  if (current == nullptr) {
    if (auto existing = sources.find(d.id); existing != nullptr) {
      // A file-managed source changes only through its file (PUT answers 409 file_managed).
      const std::string change = existing->managed_by == ingest::ManagedBy::kFile
                                     ? "change it in " + existing->definition.origin + " and reload the hub"
                                     : "change it with yici-ctl sources update (PUT /v1/admin/sources/" + d.id + ")";
      out.problems.push_back({"id", "a source \"" + d.id + "\" already exists (managed by " +
                                        std::string(ingest::managed_by_name(existing->managed_by)) + "); " + change +
                                        ", or pick another id"});
    }
  } else {
    if (d.id != current->definition.id) {
      out.problems.push_back({"id", "the body's id \"" + d.id + "\" differs from the URL's \"" +
                                        current->definition.id + "\"; ids cannot change"});
    }
    if (current->problem.empty() && d.dataset != current->definition.dataset) {
      out.problems.push_back({"dataset", "a source's dataset cannot change (from " + current->definition.dataset +
                                             " to " + d.dataset + "): retire it and add a new source"});
    }
    if (current->problem.empty() && d.primary_key != current->definition.primary_key) {
      out.problems.push_back({"primary_key",
                              "a source's primary key cannot change (stored records are keyed by "
                              "it): retire it and add a new source"});
    }
  }
  auto checked = admin::check_source(d, context);
  out.problems.insert(out.problems.end(), checked.begin(), checked.end());
  auto paths = admin::check_api_source_paths(d, context.api_source_paths);
  out.problems.insert(out.problems.end(), paths.begin(), paths.end());
  auto env = admin::check_api_source_env(d, context.api_source_env);
  out.problems.insert(out.problems.end(), env.begin(), env.end());
  if (d.adapter) d.adapter->confine_files(adapters::FileConfinement::within(context.api_source_paths));
  if (out.problems.empty()) {
    out.probe = admin::probe_source(d, schemas.find(d.dataset));
    out.problems = out.probe.problems;
  }
  out.definition = std::move(d);
  return out;
}

boost::json::object preview_body(const Submission& s) {
  boost::json::array columns;
  for (const auto& c : s.probe.columns) columns.push_back(boost::json::string(c));
  return boost::json::object{{"columns", std::move(columns)}, {"preview", admin::preview_json(s.probe.preview)}};
}

}  // namespace

api::Response Hub::add_source(const api::Request& request) {
  if (request.body.size() > kMaxDefinitionBytes) {
    return api::error_response(413, "body_too_large",
                               "a source definition is at most " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  const auto dry_run_flag = flag(request, "dry_run");
  if (!dry_run_flag) return bad_flag(dry_run_flag.error());
  const bool dry_run = *dry_run_flag;
  const auto policy = policy_.load();
  Submission sub = examine(request, *adapters_, sources_, schemas_, check_context(*policy), nullptr);
  const std::string id = sub.definition ? sub.definition->id : "";
  if (!sub.problems.empty()) {
    audit_admin_change(request, audit::action::kSourceCreate, id, "refused", 422);
    return refused(sub.problems, id);
  }
  boost::json::object body = preview_body(sub);
  body["id"] = id;
  if (dry_run) {
    // A preview connects to the department's source and reads sample rows: an access, audited.
    if (!audit_admin_change(request, audit::action::kSourceCreate, id, "dry_run", 200)) {
      return api::error_response(503, "audit_unavailable", "the audit log cannot record the preview");
    }
    body["dry_run"] = true;
    body["saved"] = false;
    return api::json_response(200, to_json_text(body));
  }
  std::lock_guard lock(source_writes_);
  if (auto existing = sources_.find(id); existing != nullptr) {
    return refused({{"id", "a source \"" + id + "\" was registered meanwhile; pick another id"}});
  }
  if (!audit_admin_change(request, audit::action::kSourceCreate, id, "allowed", 201)) {
    return api::error_response(503, "audit_unavailable", "the audit log cannot record the change; nothing was saved");
  }
  auto stored =
      catalog_->create(id, request.body, sub.definition->enabled, {request.principal->id, request.request_id});
  if (!stored) {
    log::error("source_save_failed", {{"source", id}, {"error", stored.error().message}});
    audit_admin_change(request, audit::action::kSourceCreate, id, "failed", 503);
    return api::error_response(503, "store_unavailable", "could not save the source: " + stored.error().message);
  }
  auto entry = std::make_shared<ingest::RegisteredSource>();
  entry->definition = std::move(*sub.definition);
  entry->definition.origin = "api v" + std::to_string(stored->version);
  entry->managed_by = ingest::ManagedBy::kApi;
  entry->version = stored->version;
  entry->definition_text = stored->definition;
  entry->updated_at = stored->updated_at;
  entry->updated_by = stored->updated_by;
  sources_.put(entry);
  schedule(*entry);
  log::info("source_registered", {{"source", id},
                                  {"dataset", entry->definition.dataset},
                                  {"version", stored->version},
                                  {"by", request.principal->id},
                                  {"request_id", request.request_id}});
  body["saved"] = true;
  body["version"] = stored->version;
  body["enabled"] = entry->definition.enabled;
  return api::json_response(201, to_json_text(body));
}

api::Response Hub::update_source(const api::Request& request, const std::string& id) {
  if (request.body.size() > kMaxDefinitionBytes) {
    return api::error_response(413, "body_too_large",
                               "a source definition is at most " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  auto current = find_source(id);
  if (current == nullptr) return unknown_source(id);
  if (current->managed_by == ingest::ManagedBy::kFile) return file_managed(*current);
  const auto dry_run_flag = flag(request, "dry_run");
  if (!dry_run_flag) return bad_flag(dry_run_flag.error());
  const bool dry_run = *dry_run_flag;
  const auto policy = policy_.load();
  Submission sub = examine(request, *adapters_, sources_, schemas_, check_context(*policy), current.get());
  if (!sub.problems.empty()) {
    audit_admin_change(request, audit::action::kSourceUpdate, id, "refused", 422);
    return refused(sub.problems, id);
  }
  boost::json::object body = preview_body(sub);
  body["id"] = id;
  if (dry_run) {
    if (!audit_admin_change(request, audit::action::kSourceUpdate, id, "dry_run", 200)) {
      return api::error_response(503, "audit_unavailable", "the audit log cannot record the preview");
    }
    body["dry_run"] = true;
    body["saved"] = false;
    return api::json_response(200, to_json_text(body));
  }
  std::lock_guard lock(source_writes_);
  current = find_source(id);
  if (current == nullptr) return unknown_source(id);
  if (request.body == current->definition_text && current->problem.empty()) {
    // The definition in force, sent again (a deployment script applying its files each run): no
    // new version, and no full pull of a source that has not changed.
    if (!audit_admin_change(request, audit::action::kSourceUpdate, id, "unchanged", 200)) {
      return api::error_response(503, "audit_unavailable", "the audit log cannot record the request");
    }
    body["saved"] = false;
    body["unchanged"] = true;
    body["version"] = current->version;
    body["enabled"] = current->definition.enabled;
    return api::json_response(200, to_json_text(body));
  }
  if (!audit_admin_change(request, audit::action::kSourceUpdate, id, "allowed", 200)) {
    return api::error_response(503, "audit_unavailable", "the audit log cannot record the change; nothing was saved");
  }
  if (!quiesce(*current)) {
    resume_pulls(*current);
    audit_admin_change(request, audit::action::kSourceUpdate, id, "failed", 503);
    return api::error_response(503, "pull_running", "a pull of " + id + " did not stop within 60 s; try again");
  }
  auto stored = catalog_->update(id, request.body, {request.principal->id, request.request_id});
  if (!stored) {
    resume_pulls(*current);
    audit_admin_change(request, audit::action::kSourceUpdate, id, "failed", 503);
    return api::error_response(503, "store_unavailable", "could not save the source: " + stored.error().message);
  }
  auto entry = std::make_shared<ingest::RegisteredSource>();
  entry->definition = std::move(*sub.definition);
  entry->definition.origin = "api v" + std::to_string(stored->version);
  entry->definition.enabled = stored->enabled;  // enable/disable is its own switch
  entry->managed_by = ingest::ManagedBy::kApi;
  entry->version = stored->version;
  entry->definition_text = stored->definition;
  entry->updated_at = stored->updated_at;
  entry->updated_by = stored->updated_by;
  // The mapping or the source may have changed: read everything again on the next pull.
  if (auto st = stores_.records->clear_cursor(id); !st.ok()) {
    log::warn("cursor_not_cleared", {{"source", id}, {"error", st.error().message}});
  }
  sources_.put(entry);
  schedule(*entry);
  log::info("source_updated", {{"source", id},
                               {"version", stored->version},
                               {"by", request.principal->id},
                               {"request_id", request.request_id}});
  body["saved"] = true;
  body["version"] = stored->version;
  body["enabled"] = entry->definition.enabled;
  return api::json_response(200, to_json_text(body));
}

api::Response Hub::delete_source(const api::Request& request, const std::string& id) {
  auto current = find_source(id);
  if (current == nullptr) return unknown_source(id);
  if (current->managed_by == ingest::ManagedBy::kFile) return file_managed(*current);
  const auto keep_flag = flag(request, "keep_records");
  if (!keep_flag) return bad_flag(keep_flag.error());
  const bool keep_records = *keep_flag;
  std::lock_guard lock(source_writes_);
  // Another retire of the same source may have finished while this one waited for the lock.
  current = find_source(id);
  if (current == nullptr) return unknown_source(id);
  if (!audit_admin_change(request, audit::action::kSourceDelete, id, "allowed", 200)) {
    return api::error_response(503, "audit_unavailable", "the audit log cannot record the change; nothing was changed");
  }
  const auto failed = [&](const std::string& code, const std::string& message) {
    resume_pulls(*current);
    audit_admin_change(request, audit::action::kSourceDelete, id, "failed", 503);
    return api::error_response(503, code, message);
  };
  if (!quiesce(*current)) return failed("pull_running", "a pull of " + id + " did not stop within 60 s; try again");
  // Kept in meta.db before any record is withdrawn: a hub killed part way finishes at its next
  // start instead of pulling a source whose records are partly withdrawn.
  const store::ChangeBy by{request.principal->id, request.request_id};
  if (auto st = catalog_->begin_retirement(id, keep_records, by); !st.ok()) {
    return failed("store_unavailable", "could not record the retirement: " + st.error().message);
  }
  auto withdrawn = finish_retirement(*current, keep_records, by);
  if (!withdrawn) {
    (void)catalog_->cancel_retirement(id);
    return failed("store_unavailable", withdrawn.error().message);
  }
  log::info("source_retired", {{"source", id},
                               {"records_withdrawn", *withdrawn},
                               {"records_kept", keep_records},
                               {"by", request.principal->id},
                               {"request_id", request.request_id}});
  return api::json_response(200,
                            boost::json::serialize(boost::json::object{
                                {"deleted", id}, {"records_withdrawn", *withdrawn}, {"records_kept", keep_records}}));
}

Result<std::int64_t> Hub::finish_retirement(const ingest::RegisteredSource& source, bool keep_records,
                                            const store::ChangeBy& by) {
  const std::string& id = source.definition.id;
  std::int64_t withdrawn = 0;
  if (!keep_records) {
    auto w = stores_.records->withdraw_missing(
        id, []() -> Result<std::optional<std::string>> { return std::optional<std::string>(); },  // no keys any more
        {});
    if (!w) return Error::unavailable("could not withdraw the records: " + w.error().message);
    withdrawn = *w;
  }
  (void)stores_.records->clear_cursor(id);
  if (keep_records) remember_department(source);
  if (auto st = catalog_->remove(id, by); !st.ok()) {
    return Error::unavailable("could not remove the source: " + st.error().message);
  }
  forget_source(id);
  return withdrawn;
}

void Hub::remember_department(const ingest::RegisteredSource& source) {
  // Provenance of the kept records goes on naming the department, even when no pull since the
  // upgrade that added source_departments has remembered it: a batch with nothing but that.
  store::BatchCommit remember{source.definition.id, {}};
  remember.department = source.definition.department;
  if (auto st = stores_.records->commit_batch(remember); !st.ok()) {
    log::warn("source_department_not_saved", {{"source", source.definition.id}, {"error", st.error().message}});
  }
}

api::Response Hub::set_source_enabled(const api::Request& request, const std::string& id, bool enabled) {
  auto current = find_source(id);
  if (current == nullptr) return unknown_source(id);
  if (current->managed_by == ingest::ManagedBy::kFile) return file_managed(*current);
  const std::string_view action = enabled ? audit::action::kSourceEnable : audit::action::kSourceDisable;
  std::lock_guard lock(source_writes_);
  if (!audit_admin_change(request, action, id, "allowed", 200)) {
    return api::error_response(503, "audit_unavailable", "the audit log cannot record the change; nothing was changed");
  }
  auto stored = catalog_->set_enabled(id, enabled, {request.principal->id, request.request_id});
  if (!stored) {
    audit_admin_change(request, action, id, "failed", 503);
    return api::error_response(503, "store_unavailable", "could not save the change: " + stored.error().message);
  }
  auto entry = std::make_shared<ingest::RegisteredSource>(*current);
  entry->definition.enabled = enabled;
  entry->updated_at = stored->updated_at;
  entry->updated_by = stored->updated_by;
  sources_.put(entry);
  if (enabled) {
    entry->cancel->store(false);
    schedule(*entry);
  } else {
    // A running pull stops after the batch it is on (committed, so the next pull after an enable
    // goes on from there); no new one starts.
    entry->cancel->store(true);
    if (scheduler_) scheduler_->remove(id);
  }
  log::info(enabled ? "source_enabled" : "source_disabled",
            {{"source", id}, {"by", request.principal->id}, {"request_id", request.request_id}});
  return api::json_response(200, to_json_text(boost::json::object{{"id", id}, {"enabled", enabled}}));
}

}  // namespace yici
