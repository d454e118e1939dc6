// An audit entry with every field set, for tests of the leaf and of what is checked against it.
#pragma once

#include "hub/audit/audit_entry.h"

namespace yici::audit::test {

inline AuditEntry sample_entry() {
  AuditEntry e;
  e.seq = 41;
  e.time = "2026-11-24T03:20:00.123Z";
  e.request_id = "req-1";
  e.principal = "market-regulation";
  e.cert_fingerprint = "ab:cd";
  e.purpose = "food-business-license";
  e.action = "lookup";
  e.dataset = "population";
  e.subject_hmac = "c3ViamVjdA==";
  e.fields = {"id_number", "name"};
  e.outcome = "allowed";
  e.http_status = 200;
  e.body_sha256 = "00ff";
  return e;
}

}  // namespace yici::audit::test
