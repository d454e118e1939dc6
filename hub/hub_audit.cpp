// The hub's audit routes (CONTRACT.md) and the audit entries of administrative changes.
#include "hub/api/audit_handlers.h"
#include "hub/audit/audit_actions.h"
#include "hub/audit/subject_retention.h"
#include "hub/core/ids.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/hub.h"
#include "hub/schema/subject_check.h"

namespace yici {

api::AuditServices Hub::audit_services() {
  api::AuditServices s;
  s.log = audit_log_.get();
  s.db = stores_.audit.get();
  s.log_id = stores_.log_id;
  s.keys = [this]() -> std::shared_ptr<const sign::KeyRing> { return signer_ ? signer_->ring() : nullptr; };
  s.datasets = datasets_;
  // Bundles are logged under "matter:<code>": a subject search covers them too.
  for (const auto& [code, m] : matters_.all()) s.datasets.push_back("matter:" + code);
  s.canonical_subjects = [this](std::string_view subject) {
    std::vector<std::string> forms;
    for (const auto& dataset : datasets_) {
      const auto schema = schemas_.find(dataset);
      if (!schema) continue;
      auto canonical = schema::canonical_subject(*schema, subject);
      if (canonical && std::find(forms.begin(), forms.end(), *canonical) == forms.end()) {
        forms.push_back(std::move(*canonical));
      }
    }
    return forms;
  };
  s.requester_note = [this](std::string_view requester) {
    return api::requester_note(policy_.load()->principals(), requester);
  };
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

void Hub::purge_audit_subjects() {
  const std::string cutoff = format_rfc3339_micros(now_utc() - config_.audit.subject_retention);
  // A purge a crash cut off before its entry was written is named first. Until it is, the record
  // is not moved past it.
  auto missed = audit::unrecorded_purge(*stores_.audit);
  bool recorded = missed.ok();
  if (recorded && missed->to > missed->from) {
    const std::string range =
        audit::purge_range_text(missed->from, missed->to) + " (a purge the hub stopped before recording)";
    log::warn("audit_subjects_purge_recorded_late", {{"range", range}});
    recorded =
        audit_admin_change(internal_request("hub:retention"), audit::action::kSubjectPurge, range, "allowed", 200) &&
        audit::mark_purge_recorded(*stores_.audit, missed->to).ok();
  }
  auto purged = audit::purge_subjects_before(*stores_.audit, cutoff);
  if (!purged) {
    log::error("audit_subject_purge_failed",
               {{"error", purged.error().message},
                {"action", "retried within the hour; check disk space and permissions of " + stores_.audit->path()}});
    return;
  }
  if (purged->subjects == 0) {
    // Nothing readable went: nothing to name.
    if (recorded) (void)audit::mark_purge_recorded(*stores_.audit, purged->to);
    return;
  }
  metrics_.audit_subjects_purged(purged->subjects);
  // The write-ahead log keeps earlier images of the purged pages, subjects and all, until it is
  // overwritten (16.9 MB, 294 IDs after a full purge and a clean stop): it is emptied now.
  if (auto emptied = stores_.audit_checkpoints ? stores_.audit_checkpoints->truncate_log() : Status(); !emptied.ok()) {
    log::warn("audit_wal_not_truncated",
              {{"error", emptied.error().message},
               {"action",
                "purged subjects may stay readable in audit.db-wal until the next purge empties it (hourly); a "
                "long-running reader (an audit export) holds it"}});
  }
  const std::string range = audit::purge_range_text(purged->from, purged->to) + " before " + cutoff;
  log::info("audit_subjects_purged", {{"subjects", purged->subjects}, {"range", range}});
  // The purge is itself an entry: an auditor sees when readable subjects went, and which. Not
  // written (the disk is full): the next run names the range.
  if (audit_admin_change(internal_request("hub:retention"), audit::action::kSubjectPurge, range, "allowed", 200) &&
      recorded) {
    (void)audit::mark_purge_recorded(*stores_.audit, purged->to);
  }
}

api::Request Hub::internal_request(const std::string& principal_id) {
  api::Request req;
  req.request_id = new_request_id();
  auto principal = std::make_shared<access::Principal>();
  principal->id = principal_id;
  principal->kind = access::PrincipalKind::kAdmin;
  req.principal = std::move(principal);
  return req;
}

bool Hub::audit_admin_change(const api::Request& request, std::string_view action, const std::string& target,
                             const std::string& outcome, int http_status) {
  if (audit_log_ == nullptr) return false;
  api::AuditEvent e;
  e.time = format_rfc3339_micros(now_utc());
  e.request_id = request.request_id;
  e.principal = request.principal ? request.principal->id : "";
  e.cert_fingerprint = request.peer.fingerprint_sha256;
  e.action = std::string(action);
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
