// The hub's data routes: signed lookups, batches and matter bundles (CONTRACT.md), wired to the
// stores, the policy in force, the rate limiter, the response signer and the audit log.
#include <chrono>

#include "hub/api/batch_lookup_handler.h"
#include "hub/api/lookup_handler.h"
#include "hub/api/matter_handlers.h"
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
    return schema::check_subject(*schema, subject);
  };
  s.department_of = [this](const std::string& source) {
    if (const auto d = find_source(source)) return d->definition.department;
    // Removed with its records kept: the department its last batch named.
    auto remembered = stores_.records->source_department(source);
    return remembered.ok() && *remembered ? **remembered : std::string();
  };
  s.is_stale = [this](const std::string& source) {
    if (!scheduler_) return false;
    const auto h = scheduler_->health(source);
    if (!h || h->state != ingest::SourceHealth::State::kFailing) return false;
    return std::chrono::system_clock::now() - h->since > config_.ingest.stale_after;
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
  if (request.method != "GET") return false;
  const std::string_view path = request.path;
  return path.starts_with("/v1/records/") || path.starts_with("/v1/matters/");
}

void Hub::register_lookup_routes() {
  router_.add("GET", "/v1/records/{dataset}/{subject}", net::Access::kDepartment,
              [this](const api::Request& req, const net::PathParams& p) {
                if (auto refused = data_routes_unavailable()) return *refused;
                auto services = lookup_services();
                return api::lookup_records(req, p.at("dataset"), p.at("subject"), services);
              });
  router_.add("POST", "/v1/lookups", net::Access::kDepartment, [this](const api::Request& req, const net::PathParams&) {
    if (auto refused = data_routes_unavailable()) return *refused;
    auto services = lookup_services();
    return api::batch_lookup(req, services);
  });
  router_.add("GET", "/v1/matters", net::Access::kDepartment,
              [this](const api::Request&, const net::PathParams&) { return api::list_matters(matters_); });
  router_.add("GET", "/v1/matters/{matter}/materials", net::Access::kDepartment,
              [this](const api::Request& req, const net::PathParams& p) {
                if (auto refused = data_routes_unavailable()) return *refused;
                auto services = lookup_services();
                return api::matter_bundle(req, p.at("matter"), matters_, services);
              });
}

}  // namespace yici
