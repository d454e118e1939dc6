#include "hub/api/batch_lookup_handler.h"

#include <algorithm>
#include <initializer_list>

#include <boost/json.hpp>

#include "hub/access/decision.h"
#include "hub/api/audited_response.h"
#include "hub/api/lookup_handler.h"
#include "hub/api/query_params.h"
#include "hub/api/record_view.h"
#include "hub/api/shown_version.h"
#include "hub/audit/audit_actions.h"
#include "hub/core/json_unique_keys.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"

namespace yici::api {
namespace {

struct ItemResult {
  std::string dataset;
  std::string subject;
  int status = 200;
  std::string code;
  std::string message;
  int retry_after = 0;  // rate_limited: whole seconds until the dataset's bucket has a token
  std::vector<std::string> fields;
  std::vector<store::Record> records;
};

// Names the first member of `o` not in `known`, or "" when there is none.
std::string unknown_member(const boost::json::object& o, std::initializer_list<std::string_view> known,
                           const std::string& where) {
  for (const auto& [name, value] : o) {
    if (std::find(known.begin(), known.end(), std::string_view(name)) != known.end()) continue;
    std::string list;
    for (const auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return where + " has an unknown member \"" + bounded_utf8(std::string_view(name), 64) + "\"; known: " + list;
  }
  return {};
}

}  // namespace

Response batch_lookup(const Request& req, LookupServices& s) {
  AuditEvent whole = audit_event_for(req, audit::action::kBatchLookup, "", "", "");
  // A form post or plain text that happens to parse is not read as a batch.
  if (!media_type_is(req.header("content-type"), "application/json")) {
    return audited_refusal(
        *s.audit, whole, 415, "unsupported_media_type",
        "send the batch as JSON in UTF-8, with Content-Type: application/json (a charset, if given, utf-8)");
  }
  // The purpose is in the body: `?purpose=` (or anything else) in the target is refused, not
  // ignored, as a lookup refuses a parameter it does not take.
  if (auto params = check_query_params(req, {}); !params.ok()) {
    return audited_refusal(*s.audit, whole, 400, "bad_parameter",
                           params.error().message + " (a batch's purpose and items are in its JSON body)");
  }
  // RFC 8259 §8.1: no byte-order mark. Named, since a JSON parser's "syntax error" at offset 0
  // does not say what is there.
  if (req.body.starts_with("\xEF\xBB\xBF")) {
    return audited_refusal(*s.audit, whole, 400, "bad_request",
                           "the body starts with a UTF-8 byte-order mark (EF BB BF); send the JSON without one");
  }
  // Two members of one name would mean one thing to the department's JSON library and another
  // here: refused, with the name.
  auto parsed = parse_json_unique_keys(req.body);
  if (!parsed || !parsed->is_object() || !parsed->as_object().contains("items") ||
      !parsed->as_object().at("items").is_array()) {
    return audited_refusal(*s.audit, whole, 400, "bad_request",
                           "body must be JSON: {\"purpose\":P,\"items\":[{\"dataset\":D,\"subject\":S},…]}" +
                               (parsed ? std::string() : " (" + parsed.error().message + ")"));
  }
  const auto& obj = parsed->as_object();
  // A member the hub does not read (`"fields":"all"`, a previous answer sent back) is refused by
  // name rather than answered as if absent.
  if (auto unknown = unknown_member(obj, {"purpose", "items"}, "the batch"); !unknown.empty()) {
    return audited_refusal(*s.audit, whole, 400, "bad_parameter", unknown);
  }
  std::string purpose;
  if (const auto* p = obj.if_contains("purpose"); p != nullptr && !p->is_null()) {
    // A purpose that is not text is a malformed request, not a missing purpose.
    if (!p->is_string()) return audited_refusal(*s.audit, whole, 400, "bad_request", "purpose must be a string");
    purpose = std::string(p->as_string());
  }
  whole.purpose = purpose;
  const auto& items = obj.at("items").as_array();
  if (items.empty()) return audited_refusal(*s.audit, whole, 400, "bad_request", "items is empty");
  if (items.size() > s.batch_limit) {
    return audited_refusal(
        *s.audit, whole, 400, "batch_too_large",
        "at most " + std::to_string(s.batch_limit) + " items per batch, got " + std::to_string(items.size()));
  }
  std::vector<ItemResult> results;
  for (const auto& item : items) {
    ItemResult r;
    const auto* d = item.is_object() ? item.as_object().if_contains("dataset") : nullptr;
    const auto* sub = item.is_object() ? item.as_object().if_contains("subject") : nullptr;
    if (d == nullptr || sub == nullptr || !d->is_string() || !sub->is_string()) {
      return audited_refusal(*s.audit, whole, 400, "bad_request", "each item needs string \"dataset\" and \"subject\"");
    }
    if (auto unknown =
            unknown_member(item.as_object(), {"dataset", "subject"}, "item " + std::to_string(results.size()));
        !unknown.empty()) {
      return audited_refusal(*s.audit, whole, 400, "bad_parameter", unknown);
    }
    r.dataset = std::string(d->as_string());
    r.subject = std::string(sub->as_string());
    results.push_back(std::move(r));
  }
  for (auto& r : results) {
    if (std::find(s.datasets.begin(), s.datasets.end(), r.dataset) == s.datasets.end()) {
      r.status = 404, r.code = "unknown_dataset",
      r.message = "no dataset named \"" + bounded_utf8(r.dataset, 64) + "\"";
      continue;
    }
    const access::Decision decision = access::decide(*s.policy, *req.principal, r.dataset, purpose);
    if (!decision.allowed) {
      r.status = decision.http_status, r.code = decision.code, r.message = decision.message;
      continue;
    }
    if (auto valid = s.validate_subject(r.dataset, r.subject); !valid.ok()) {
      r.status = 400, r.code = "invalid_subject", r.message = valid.error().message;
      continue;
    }
    int retry_after = 0;
    if (!s.limiter->try_acquire(req.principal->id + "|" + r.dataset, decision.rate, access::RateLimiter::Clock::now(),
                                &retry_after)) {
      r.status = 429, r.code = "rate_limited", r.retry_after = retry_after;
      r.message = "over the granted rate; retry after " + std::to_string(retry_after) + " s";
      continue;
    }
    auto found = s.records->find_by_subject(r.dataset, r.subject);
    if (!found.ok())
      return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
    for (auto& rec : *found) {
      if (rec.status != "withdrawn") r.records.push_back(std::move(rec));
    }
    if (r.records.empty()) {
      r.status = 404, r.code = "not_found", r.message = "no " + r.dataset + " record on file for this subject";
      continue;
    }
    r.fields = decision.fields;
    if (!show_versions(r.records, r.fields, s).ok())
      return error_response(503, "store_unavailable", "the record store is unavailable; try again later");
  }
  std::vector<AuditEvent> events;
  for (const auto& r : results) {
    AuditEvent e = audit_event_for(req, audit::action::kBatchLookup, r.dataset, r.subject, purpose);
    e.outcome = r.status == 200 ? "allowed" : r.code;
    e.http_status = r.status;
    e.fields = r.fields;
    events.push_back(std::move(e));
  }
  const std::string issued_at = format_rfc3339_seconds(now_utc());
  const std::string digest = request_digest(req);
  auto render = [&](std::int64_t first) {
    boost::json::array out;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      boost::json::object o{{"dataset", r.dataset},
                            {"subject", r.subject},
                            {"status", r.status},
                            {"audit_index", first + static_cast<std::int64_t>(i)}};
      if (r.status == 200) {
        boost::json::array recs;
        for (const auto& rec : r.records) recs.push_back(record_view(rec, r.fields, s));
        o["records"] = std::move(recs);
      } else {
        boost::json::object error{{"code", r.code}, {"message", r.message}};
        // What Retry-After says for a single lookup, where a program can read it.
        if (r.retry_after > 0) error["retry_after"] = r.retry_after;
        o["error"] = std::move(error);
      }
      out.push_back(std::move(o));
    }
    return boost::json::serialize(boost::json::object{{"request_id", req.request_id},
                                                      {"issued_at", issued_at},
                                                      {"requester", req.principal->id},
                                                      {"purpose", purpose},
                                                      {"request_digest", digest},
                                                      {"items", std::move(out)}});
  };
  auto body = s.audit->append_many(events, render);
  if (!body.ok())
    return error_response(503, "audit_unavailable", "the audit log cannot record this access; try again later");
  return signed_response(req, *s.signer, std::move(*body));
}

}  // namespace yici::api
