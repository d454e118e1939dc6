// What the lookup handlers need from the rest of the hub, as narrow interfaces so that handlers
// stay pure functions testable without sockets, keys on disk or a Merkle log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hub/access/policy.h"
#include "hub/access/rate_limiter.h"
#include "hub/core/result.h"
#include "hub/store/record_store.h"

namespace yici::api {

// Signs exact response bytes (JWS ES256, see hub/sign).
class ResponseSigner {
 public:
  virtual ~ResponseSigner() = default;
  // "header..signature": compact JWS with detached payload.
  virtual Result<std::string> sign_detached(std::string_view body) = 0;
  // "header.payload.signature".
  virtual Result<std::string> sign_compact(std::string_view body) = 0;
};

// One access, allowed or refused, as the audit log records it.
struct AuditEvent {
  std::string time;  // RFC 3339
  std::string request_id;
  std::string principal;
  std::string cert_fingerprint;
  std::string purpose;
  std::string action;  // lookup, batch_lookup, bundle, ...
  std::string dataset;
  std::string subject;
  std::vector<std::string> fields;  // returned
  std::string outcome;              // allowed, or the refusal code
  int http_status = 0;
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Assigns the entry's index, calls render(index) for the response body, records the event with
  // the body's SHA-256, and returns the body once the entry is durable. An error means the access
  // must not be answered (503).
  virtual Result<std::string> append(const AuditEvent& event,
                                     const std::function<std::string(std::int64_t index)>& render) = 0;
  // Several entries with consecutive indexes (a batch: one entry per item). render(first_index);
  // the body's SHA-256 is recorded in every entry. REQUIRES: !events.empty().
  virtual Result<std::string> append_many(const std::vector<AuditEvent>& events,
                                          const std::function<std::string(std::int64_t first_index)>& render) = 0;
};

struct LookupServices {
  std::shared_ptr<const access::Policy> policy;
  store::RecordStore* records = nullptr;
  access::RateLimiter* limiter = nullptr;
  ResponseSigner* signer = nullptr;
  AuditSink* audit = nullptr;
  // Dataset names the hub serves.
  std::vector<std::string> datasets;
  // Most items in one POST /v1/lookups.
  std::size_t batch_limit = 100;
  // Checks a subject's form and checksum for a dataset before any store access.
  std::function<Status(std::string_view dataset, std::string_view subject)> validate_subject;
  // The dataset's status field ("" when its schema has none): a record's status is shown only to
  // a department granted that field, since it tells, say, whether a black-listing is in force.
  std::function<std::string(const std::string& dataset)> status_field_of;
  // Source id → department principal id, for provenance. Unknown sources map to "".
  std::function<std::string(const std::string& source)> department_of;
  // true when the record may be out of date: its source has been failing for longer than the
  // configured staleness age, or nothing pulls the source any more (removed, its definition
  // unreadable, disabled, invalid) and no pull has seen the record for that long.
  std::function<bool(const store::Record& record)> is_stale;
  // Source id → the start of its latest successful pull (ingest/last_good_pulls.h), "" if unknown:
  // provenance.checked_at, when the hub last saw that the source had nothing newer.
  std::function<std::string(const std::string& source)> checked_at;
  // true when some registered, enabled source of the dataset has pulled successfully (since start,
  // or before it, by its pull history) and is not stale; bundles trust "nothing on file" only then.
  std::function<bool(const std::string& dataset)> dataset_current;
};

}  // namespace yici::api
