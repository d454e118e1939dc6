// The hub's data routes: signed lookups, batches and matter bundles (CONTRACT.md), wired to the
// stores, the policy in force, the rate limiter, the response signer and the audit log.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "hub/api/audited_response.h"
#include "hub/api/batch_lookup_handler.h"
#include "hub/api/lookup_handler.h"
#include "hub/api/matter_handlers.h"
#include "hub/audit/audit_actions.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/hub.h"
#include "hub/schema/subject_check.h"

namespace yici {

api::LookupServices Hub::lookup_services() {
  api::LookupServices s;
  s.policy = policy_.load();
  s.records = stores_.records.get();
  s.limiter = &limiter_;
  s.signer = signer_.get();
  s.audit = audit_;
  s.datasets = datasets_;
  s.batch_limit = config_.limits.max_batch_items;
  s.validate_subject = [this](std::string_view dataset, std::string_view subject) -> Status {
    auto schema = schemas_.find(dataset);
    if (!schema) return Error::invalid("no schema for dataset " + std::string(dataset));
    auto checked = schema::check_subject(*schema, subject);
    if (checked.ok()) return checked;
    // The other kind of subject's number (a resident ID asked of legal_entity) is named as such,
    // not reported as a credit code with a bad checksum.
    const schema::FieldSpec& wanted = schema->fields[schema->subject];
    for (const auto& other_dataset : datasets_) {
      const auto other = schemas_.find(other_dataset);
      // Only a dataset keyed by one kind names it (a party id takes either kind).
      if (!other || other->fields[other->subject].type == wanted.type ||
          other->fields[other->subject].type == schema::FieldType::kPartyId) {
        continue;
      }
      if (schema::check_subject(*other, subject).ok()) {
        const schema::FieldSpec& given = other->fields[other->subject];
        const auto named = [](const schema::FieldSpec& f, const std::string& more) {
          return f.title.empty() ? f.name + more : f.title + " (" + f.name + more + ")";
        };
        return Error::invalid("this is a " + named(given, ", the subject of " + other_dataset) + ", but " +
                              std::string(dataset) + " is looked up by " + named(wanted, ""));
      }
    }
    return checked;
  };
  s.status_field_of = [this](const std::string& dataset) {
    const auto schema = schemas_.find(dataset);
    return schema && schema->status_field ? schema->fields[*schema->status_field].name : std::string();
  };
  s.department_of = [this](const std::string& source) {
    if (const auto d = find_source(source)) return d->definition.department;
    // Removed with its records kept: the department its last batch named.
    auto remembered = stores_.records->source_department(source);
    return remembered.ok() && *remembered ? **remembered : std::string();
  };
  // A scheduled source's records are stale once it has been failing for longer than stale_after.
  const auto failing_long = [this](const std::string& source) {
    if (!scheduler_) return false;
    const auto h = scheduler_->health(source);
    if (!h || h->state != ingest::SourceHealth::State::kFailing) return false;
    return std::chrono::system_clock::now() - h->since > config_.ingest.stale_after;
  };
  s.checked_at = [this](const std::string& source) { return last_good_->started_at(source); };
  // Nothing refreshes the records of a source that is not scheduled (removed with its records
  // kept, its file unreadable at start, disabled, invalid): each is as fresh as the last pull that
  // saw it (pulled_at is refreshed for unchanged rows too), or as the source's last successful
  // pull: an incremental pull reads only rows changed since the one before, so a row it did not
  // return was current when it ran (such records were stale at once, their pulled_at the first
  // pull's).
  s.is_stale = [this, failing_long,
                cutoff = format_rfc3339_micros(now_utc() - config_.ingest.stale_after)](const store::Record& r) {
    const auto source = find_source(r.source);
    if (source && source->schedulable()) return failing_long(r.source);
    if (r.pulled_at >= cutoff) return false;
    return last_good_->started_at(r.source) < cutoff;
  };
  s.dataset_current = [this, failing_long](const std::string& dataset) {
    for (const auto& source : sources_.list()) {
      const auto& d = source->definition;
      if (d.dataset != dataset || !source->schedulable() || failing_long(d.id)) continue;
      if (scheduler_) {
        if (const auto h = scheduler_->health(d.id); h && h->last_success != SysTime{}) return true;
      }
      // Pulled successfully before this start? (Health is kept in memory only.)
      auto runs = stores_.records->recent_pull_runs(d.id, 20);
      if (runs.ok() && std::any_of(runs->begin(), runs->end(), [](const store::PullRun& r) { return r.error.empty(); }))
        return true;
    }
    return false;
  };
  return s;
}

// A data route answers only when it can be signed and audited: fail closed otherwise.
std::optional<api::Response> Hub::data_routes_unavailable() const {
  if (signer_ == nullptr) {
    return api::error_response(503, "signing_unavailable",
                               "this hub has no signing key loaded; responses cannot be signed");
  }
  if (audit_ == nullptr) {
    return api::error_response(503, "audit_unavailable", "the audit log is not available; nothing is served unaudited");
  }
  return std::nullopt;
}

bool Hub::runs_on_io_thread(const api::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string_view path = request.path;
  return path.starts_with("/v1/records/") || path.starts_with("/v1/matters/");
}

namespace {

// The data routes, named once: registered below, and recognised in refusals made before them.
constexpr const char* kRecordsRoute = "/v1/records/{dataset}/{subject}";
constexpr const char* kBatchRoute = "/v1/lookups";
constexpr const char* kBundleRoute = "/v1/matters/{matter}/materials";

}  // namespace

void Hub::register_lookup_routes() {
  router_.add("GET", kRecordsRoute, net::Access::kDepartment,
              [this](const api::Request& req, const net::PathParams& p) {
                if (auto refused = data_routes_unavailable()) return *refused;
                auto services = lookup_services();
                return api::lookup_records(req, p.at("dataset"), p.at("subject"), services);
              });
  router_.add("POST", kBatchRoute, net::Access::kDepartment, [this](const api::Request& req, const net::PathParams&) {
    if (auto refused = data_routes_unavailable()) return *refused;
    auto services = lookup_services();
    return api::batch_lookup(req, services);
  });
  router_.add("GET", "/v1/matters", net::Access::kDepartment,
              [this](const api::Request&, const net::PathParams&) { return api::list_matters(matters_); });
  router_.add("GET", kBundleRoute, net::Access::kDepartment, [this](const api::Request& req, const net::PathParams& p) {
    if (auto refused = data_routes_unavailable()) return *refused;
    auto services = lookup_services();
    return api::matter_bundle(req, p.at("matter"), matters_, services);
  });
  // Requests for data refused before a handler runs (a certificate CN that maps to no principal, or
  // an admin or auditor certificate) are audited as the handlers audit their own refusals, so every
  // attempt at a subject's records is in the log.
  router_.on_refusal([this](const api::Request& req, const std::string& pattern, const net::PathParams& p,
                            const api::Response& refusal, const std::string& code) {
    const std::string* purpose = req.query_param("purpose");
    api::AuditEvent e;
    if (pattern == kRecordsRoute) {
      e = api::audit_event_for(req, audit::action::kLookup, p.at("dataset"), p.at("subject"), purpose ? *purpose : "");
    } else if (pattern == kBatchRoute) {
      e = api::audit_event_for(req, audit::action::kBatchLookup, "", "", "");
    } else if (pattern == kBundleRoute) {
      const std::string* applicant = req.query_param("applicant");
      e = api::audit_event_for(req, audit::action::kBundle, "matter:" + p.at("matter"), applicant ? *applicant : "",
                               p.at("matter"));
    } else {
      return;  // not a request for data (admin and audit routes: metrics count their 403s)
    }
    e.outcome = code;
    e.http_status = refusal.status;
    if (req.peer.certificate_refused) {
      // A certificate that no longer verifies (revoked, expired) gets no principal, but whose it
      // was is what an auditor asks: a revoked department's key still in use.
      const auto policy = policy_.load();
      if (const access::Principal* p = policy->by_cert_cn(req.peer.subject_cn)) e.principal = p->id;
    }
    if (audit_ == nullptr) return;
    if (auto r = audit_->append(e, [&](std::int64_t) { return refusal.body; }); !r) {
      log::error("audit_refusal_failed", {{"route", pattern}, {"error", r.error().message}});
    }
  });
}

}  // namespace yici
