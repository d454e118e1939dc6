#include "hub/api/audited_response.h"

#include <algorithm>

#include "hub/core/time.h"

namespace yici::api {

AuditEvent audit_event_for(const Request& req, std::string_view action, std::string dataset, std::string subject,
                           std::string purpose) {
  AuditEvent e;
  e.time = format_rfc3339_micros(now_utc());
  e.request_id = req.request_id;
  e.principal = req.principal ? req.principal->id : "";
  e.cert_fingerprint = req.peer.fingerprint_sha256;
  e.purpose = std::move(purpose);
  e.action = std::string(action);
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

namespace {

// A q value in thousandths (RFC 9110 §12.4.2: 0 to 1, at most three decimals); one that is not
// such a number counts as 1, as if it were absent.
int q_thousandths(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return 1000;
  int value = (q[0] - '0') * 1000;
  if (q.size() > 1) {
    if (q[1] != '.' || q.size() > 5) return 1000;
    int scale = 100;
    for (const char c : q.substr(2)) {
      if (c < '0' || c > '9') return 1000;
      value += (c - '0') * scale;
      scale /= 10;
    }
  }
  return std::min(value, 1000);
}

}  // namespace

bool accepts_jose(const Request& req) {
  const std::string* accept = req.header("accept");
  if (accept == nullptr) return false;
  // Media ranges, comma-separated, each with optional ;parameters; types are case-insensitive.
  // The answer is JOSE when the client weighs application/jose above 0 and no lower than JSON
  // (application/json, else application/*, else */*): "application/jose;q=0.5, application/json"
  // asks for JSON. No allocation: this runs for every lookup.
  int jose = -1;
  int json = -1;
  int json_specificity = -1;  // 2 application/json, 1 application/*, 0 */*
  std::string_view rest(*accept);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view range = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto semi = range.find(';');
    const std::string_view type = trim_ows(range.substr(0, semi));
    int specificity = -1;
    if (iequals_ascii(type, "application/json")) {
      specificity = 2;
    } else if (iequals_ascii(type, "application/*")) {
      specificity = 1;
    } else if (type == "*/*") {
      specificity = 0;
    } else if (!iequals_ascii(type, "application/jose")) {
      continue;
    }
    int q = 1000;
    std::string_view params = semi == std::string_view::npos ? std::string_view() : range.substr(semi + 1);
    while (!params.empty()) {
      const auto next = params.find(';');
      const std::string_view param = trim_ows(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      const auto eq = param.find('=');
      if (eq != std::string_view::npos && iequals_ascii(trim_ows(param.substr(0, eq)), "q")) {
        q = q_thousandths(trim_ows(param.substr(eq + 1)));
        break;
      }
    }
    if (specificity < 0) {
      jose = std::max(jose, q);
    } else if (specificity > json_specificity) {
      json = q;
      json_specificity = specificity;
    }
  }
  return jose > 0 && jose >= json;
}

Response signed_response(const Request& req, ResponseSigner& signer, std::string body) {
  Response r;
  if (accepts_jose(req)) {
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
