#include "hub/api/audited_response.h"

#include "hub/core/time.h"

namespace yici::api {

AuditEvent audit_event_for(const Request& req, std::string action, std::string dataset, std::string subject,
                           std::string purpose) {
  AuditEvent e;
  e.time = format_rfc3339_micros(now_utc());
  e.request_id = req.request_id;
  e.principal = req.principal ? req.principal->id : "";
  e.cert_fingerprint = req.peer.fingerprint_sha256;
  e.purpose = std::move(purpose);
  e.action = std::move(action);
  e.dataset = std::move(dataset);
  e.subject = std::move(subject);
  return e;
}

Response audited_refusal(AuditSink& audit, AuditEvent event, int status, const std::string& code,
                         const std::string& message, std::vector<std::pair<std::string, std::string>> headers) {
  event.outcome = code;
  event.http_status = status;
  event.fields.clear();
  Response r = error_response(status, code, message);
  auto body = audit.append(event, [&](std::int64_t) { return r.body; });
  if (!body.ok())
    return error_response(503, "audit_unavailable", "the audit log cannot record this access; try again later");
  r.headers = std::move(headers);
  return r;
}

Response audited_signed_ok(const Request& req, AuditSink& audit, ResponseSigner& signer, AuditEvent event,
                           const std::function<std::string(std::int64_t)>& render) {
  event.outcome = "allowed";
  event.http_status = 200;
  auto body = audit.append(event, render);
  if (!body.ok())
    return error_response(503, "audit_unavailable", "the audit log cannot record this access; try again later");
  return signed_response(req, signer, std::move(*body));
}

Response signed_response(const Request& req, ResponseSigner& signer, std::string body) {
  Response r;
  const std::string* accept = req.header("accept");
  if (accept != nullptr && accept->find("application/jose") != std::string::npos) {
    auto jws = signer.sign_compact(body);
    if (!jws.ok()) return error_response(503, "signing_unavailable", "the response could not be signed");
    r.content_type = "application/jose";
    r.body = std::move(*jws);
  } else {
    auto jws = signer.sign_detached(body);
    if (!jws.ok()) return error_response(503, "signing_unavailable", "the response could not be signed");
    r.headers.emplace_back("X-Yici-Signature", std::move(*jws));
    r.body = std::move(body);
  }
  return r;
}

}  // namespace yici::api
