#include "hub/api/lookup_handler.h"

#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/access/decision.h"
#include "hub/api/audited_response.h"
#include "hub/api/query_params.h"
#include "hub/api/record_view.h"
#include "hub/api/shown_version.h"
#include "hub/audit/audit_actions.h"
#include "hub/core/sha256.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"

namespace yici::api {
namespace {

Response refuse(LookupServices& s, AuditEvent event, int status, const std::string& code, const std::string& message,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
  return audited_refusal(*s.audit, std::move(event), status, code, message, std::move(headers));
}

}  // namespace

std::string request_digest(const Request& request) {
  const std::string principal = request.principal ? request.principal->id : "";
  std::string line = request.method + " " + request.target + "\n" + principal;
  if (!request.body.empty()) line += "\n" + sha256_hex(request.body);
  return sha256_hex(line);
}

Response lookup_records(const Request& req, const std::string& dataset, const std::string& subject, LookupServices& s) {
  const std::string* purpose_param = req.query_param("purpose");
  const std::string purpose = purpose_param ? *purpose_param : "";
  AuditEvent event = audit_event_for(req, audit::action::kLookup, dataset, subject, purpose);
  // Two purposes would leave it to the hub which one the access was for: refused, not guessed. So
  // is any other parameter: `&fields=all` or `&Purpose=` answered as if it were absent.
  if (auto params = check_query_params(req, {"purpose"}); !params.ok()) {
    return refuse(s, event, 400, "bad_parameter", params.error().message);
  }

  if (std::find(s.datasets.begin(), s.datasets.end(), dataset) == s.datasets.end()) {
    return refuse(s, event, 404, "unknown_dataset", "no dataset named \"" + bounded_utf8(dataset, 64) + "\"");
  }
  const access::Decision decision = access::decide(*s.policy, *req.principal, dataset, purpose);
  if (!decision.allowed) return refuse(s, event, decision.http_status, decision.code, decision.message);

  if (auto valid = s.validate_subject(dataset, subject); !valid.ok()) {
    return refuse(s, event, 400, "invalid_subject", valid.error().message);
  }
  int retry_after = 0;
  if (!s.limiter->try_acquire(req.principal->id + "|" + dataset, decision.rate, access::RateLimiter::Clock::now(),
                              &retry_after)) {
    return refuse(s, event, 429, "rate_limited",
                  "over the granted rate for " + dataset + "; retry after " + std::to_string(retry_after) + " s",
                  {{"Retry-After", std::to_string(retry_after)}});
  }
  auto found = s.records->find_by_subject(dataset, subject);
  if (!found.ok()) return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
  std::vector<store::Record> current;
  for (auto& r : *found) {
    if (r.status != "withdrawn") current.push_back(std::move(r));
  }
  if (current.empty()) return refuse(s, event, 404, "not_found", "no " + dataset + " record on file for this subject");

  if (!show_versions(current, decision.fields, s).ok()) {
    return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
  }
  event.fields = decision.fields;
  const std::string issued_at = format_rfc3339_seconds(now_utc());
  const std::string digest = request_digest(req);
  auto render = [&](std::int64_t audit_index) {
    boost::json::array records;
    for (const auto& r : current) records.push_back(record_view(r, decision.fields, s));
    boost::json::object body;
    body["request_id"] = req.request_id;
    body["issued_at"] = issued_at;
    body["requester"] = req.principal->id;
    body["purpose"] = purpose;
    body["dataset"] = dataset;
    body["subject"] = subject;
    body["request_digest"] = digest;
    body["audit_index"] = audit_index;
    body["records"] = std::move(records);
    return boost::json::serialize(body);
  };
  return audited_signed_ok(req, *s.audit, *s.signer, std::move(event), render);
}

}  // namespace yici::api
