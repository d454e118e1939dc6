// The hub's audit routes (CONTRACT.md) and the audit entries of administrative changes.
#include "hub/api/audit_handlers.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/hub.h"

namespace yici {

api::AuditServices Hub::audit_services() {
  api::AuditServices s;
  s.log = audit_log_.get();
  s.db = stores_.audit.get();
  s.log_id = stores_.hub_instance_id;
  s.keys = [this]() -> std::shared_ptr<const sign::KeyRing> { return signer_ ? signer_->ring() : nullptr; };
  s.datasets = datasets_;
  // Bundles are logged under "matter:<code>": a subject search covers them too.
  for (const auto& [code, m] : matters_.all()) s.datasets.push_back("matter:" + code);
  return s;
}

void Hub::register_audit_routes() {
  const auto route = [this](const char* path, net::Access access, auto handler) {
    router_.add("GET", path, access, [this, handler](const api::Request& req, const net::PathParams& p) {
      auto services = audit_services();
      return handler(req, p, services);
    });
  };
  route(
      "/v1/audit/checkpoint", net::Access::kAnyPrincipal,
      [](const api::Request& r, const net::PathParams&, api::AuditServices& s) { return api::audit_checkpoint(r, s); });
  route("/v1/audit/proof/inclusion", net::Access::kAnyPrincipal,
        [](const api::Request& r, const net::PathParams&, api::AuditServices& s) {
          return api::audit_inclusion_proof(r, s);
        });
  route("/v1/audit/proof/consistency", net::Access::kAnyPrincipal,
        [](const api::Request& r, const net::PathParams&, api::AuditServices& s) {
          return api::audit_consistency_proof(r, s);
        });
  route("/v1/audit/events", net::Access::kAuditor,
        [](const api::Request& r, const net::PathParams&, api::AuditServices& s) { return api::audit_events(r, s); });
  route("/v1/audit/subjects/{subject}/report", net::Access::kAuditor,
        [](const api::Request& r, const net::PathParams& p, api::AuditServices& s) {
          return api::audit_subject_report(r, p.at("subject"), s);
        });
}

bool Hub::audit_admin_change(const api::Request& request, const std::string& action, const std::string& target,
                             const std::string& outcome, int http_status) {
  if (audit_log_ == nullptr) return false;
  api::AuditEvent e;
  e.time = format_rfc3339_micros(now_utc());
  e.request_id = request.request_id;
  e.principal = request.principal ? request.principal->id : "";
  e.cert_fingerprint = request.peer.fingerprint_sha256;
  e.action = action;
  e.dataset = target;  // the source id, for source changes
  e.outcome = outcome;
  e.http_status = http_status;
  auto r = audit_log_->append(e, [](std::int64_t) { return std::string(); });
  if (!r) {
    log::error("audit_admin_change_failed",
               {{"action", action}, {"error", r.error().message}, {"request_id", request.request_id}});
    return false;
  }
  return true;
}

}  // namespace yici
