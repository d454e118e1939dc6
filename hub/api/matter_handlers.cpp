#include "hub/api/matter_handlers.h"

#include <algorithm>

#include <boost/json.hpp>

#include "hub/access/decision.h"
#include "hub/api/audited_response.h"
#include "hub/api/lookup_handler.h"
#include "hub/api/query_params.h"
#include "hub/api/record_view.h"
#include "hub/api/shown_version.h"
#include "hub/audit/audit_actions.h"
#include "hub/core/time.h"
#include "hub/matter/bundle.h"

namespace yici::api {
namespace {

std::string_view state_name(matter::MaterialResult::State s) {
  switch (s) {
    case matter::MaterialResult::State::kSatisfied:
      return "satisfied";
    case matter::MaterialResult::State::kMissing:
      return "missing";
    case matter::MaterialResult::State::kSubmit:
      return "submit";
  }
  return "missing";
}

}  // namespace

Response list_matters(const matter::MatterCatalog& catalog) {
  boost::json::array matters;
  for (const auto& [code, m] : catalog.all()) {
    boost::json::array materials;
    for (const auto& mat : m.materials) {
      boost::json::object o{{"id", mat.id}, {"name", mat.name}};
      if (mat.submit)
        o["submit"] = true;
      else
        o["dataset"] = mat.dataset;
      materials.push_back(std::move(o));
    }
    matters.push_back(boost::json::object{
        {"code", m.code}, {"name", m.name}, {"applicant", m.applicant}, {"materials", std::move(materials)}});
  }
  return json_response(200, boost::json::serialize(boost::json::object{{"matters", std::move(matters)}}));
}

Response matter_bundle(const Request& req, const std::string& code, const matter::MatterCatalog& catalog,
                       LookupServices& s) {
  const std::string* applicant_param = req.query_param("applicant");
  const std::string applicant = applicant_param ? *applicant_param : "";
  AuditEvent event = audit_event_for(req, audit::action::kBundle, "matter:" + code, applicant, code);
  const matter::Matter* m = catalog.find(code);
  if (m == nullptr)
    return audited_refusal(*s.audit, event, 404, "unknown_matter", "no matter with code \"" + code + "\"");
  // Two applicants would leave it to the hub whose bundle was asked for: refused, not guessed. So
  // is any other parameter, which would otherwise answer as if it were absent.
  if (auto params = check_query_params(req, {"applicant"}); !params.ok()) {
    return audited_refusal(*s.audit, event, 400, "bad_parameter", params.error().message);
  }
  if (applicant.empty()) {
    return audited_refusal(
        *s.audit, event, 400, "applicant_required",
        "give the applicant's " +
            std::string(m->applicant == "entity" ? "unified social credit code" : "resident ID number") +
            " as ?applicant=");
  }
  const std::string subject_dataset = m->applicant == "entity" ? "legal_entity" : "population";
  if (auto valid = s.validate_subject(subject_dataset, applicant); !valid.ok()) {
    // The other kind of applicant's number (a resident ID for a company's matter) is named as
    // such, not reported as a credit code with a bad checksum.
    const bool entity = m->applicant == "entity";
    if (s.validate_subject(entity ? "population" : "legal_entity", applicant).ok()) {
      return audited_refusal(
          *s.audit, event, 400, "invalid_subject",
          std::string("this matter's applicant is ") +
              (entity ? "a company or other organisation: give its unified social credit code, not a resident ID "
                        "number"
                      : "a person: give their resident ID number, not a unified social credit code"));
    }
    return audited_refusal(*s.audit, event, 400, "invalid_subject", valid.error().message);
  }
  // Every shared material's dataset must be granted for this matter; fields are what both the
  // material shows and the grant allows.
  std::map<std::string, std::vector<std::string>> granted;
  // Each dataset read draws on the bucket lookups of that dataset draw on: through bundles, a
  // department read a rate-limited dataset at twice its rate.
  std::vector<std::pair<std::string, access::RateLimit>> buckets;
  for (const auto& mat : m->materials) {
    if (mat.submit || granted.count(mat.dataset)) continue;
    const access::Decision d = access::decide(*s.policy, *req.principal, mat.dataset, code);
    if (!d.allowed) {
      return audited_refusal(*s.audit, event, 403, "matter_not_granted",
                             req.principal->id + " may not resolve matter " + code + " (" + d.message + ")");
    }
    granted[mat.dataset] = d.fields;
    buckets.emplace_back(req.principal->id + "|" + mat.dataset, d.rate);
  }
  int retry_after = 0;
  if (!s.limiter->try_acquire_all(buckets, access::RateLimiter::Clock::now(), &retry_after)) {
    return audited_refusal(*s.audit, event, 429, "rate_limited",
                           "over the granted rate; retry after " + std::to_string(retry_after) + " s",
                           {{"Retry-After", std::to_string(retry_after)}});
  }
  bool store_failed = false;
  auto results = matter::resolve_bundle(
      *m,
      [&](const std::string& dataset) {
        std::vector<store::Record> current;
        auto found = s.records->find_by_subject(dataset, applicant);
        if (!found.ok()) {
          store_failed = true;
          return current;
        }
        for (auto& r : *found) {
          if (r.status != "withdrawn") current.push_back(std::move(r));
        }
        return current;
      },
      [&](const std::string& dataset) { return s.dataset_current && s.dataset_current(dataset); });
  if (store_failed) return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
  // A material's record shows the fields both the material names and the grant allows, and the
  // version of what those show.
  std::vector<std::vector<std::string>> shown(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& r = results[i];
    if (!r.record) continue;
    const auto& allowed = granted[r.material->dataset];
    for (const auto& f : r.material->fields) {
      if (std::find(allowed.begin(), allowed.end(), f) != allowed.end()) shown[i].push_back(f);
    }
    if (!show_version(*r.record, shown[i], s).ok()) {
      return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
    }
  }

  for (const auto& [dataset, fields] : granted) {
    for (const auto& f : fields) {
      if (std::find(event.fields.begin(), event.fields.end(), f) == event.fields.end()) event.fields.push_back(f);
    }
  }
  const std::string issued_at = format_rfc3339_seconds(now_utc());
  const std::string digest = request_digest(req);
  auto render = [&](std::int64_t audit_index) {
    boost::json::array materials;
    int satisfied = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      const matter::Material& mat = *r.material;
      boost::json::object o{{"id", mat.id}, {"name", mat.name}, {"state", state_name(r.state)}};
      if (!mat.submit) o["dataset"] = mat.dataset;
      if (!r.reason.empty()) o["reason"] = r.reason;
      if (r.state == matter::MaterialResult::State::kSatisfied) ++satisfied;
      if (r.record) o["record"] = record_view(*r.record, shown[i], s);
      materials.push_back(std::move(o));
    }
    boost::json::object body{
        {"request_id", req.request_id},
        {"issued_at", issued_at},
        {"requester", req.principal->id},
        {"purpose", code},
        {"matter", boost::json::object{{"code", m->code}, {"name", m->name}}},
        {"applicant", applicant},
        {"request_digest", digest},
        {"audit_index", audit_index},
        {"summary", boost::json::object{{"materials", results.size()},
                                        {"satisfied", satisfied},
                                        {"to_bring", static_cast<int>(results.size()) - satisfied}}},
        {"materials", std::move(materials)}};
    return boost::json::serialize(body);
  };
  return audited_signed_ok(req, *s.audit, *s.signer, std::move(event), render);
}

}  // namespace yici::api
