// The audit endpoints of CONTRACT.md: signed checkpoints and RFC 9162 proofs (auditors and
// departments; a department may prove only its own entries), filtered and paged events with
// JSONL and Excel-ready CSV exports, and the "who looked at this subject" report (auditors).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hub/access/principal.h"
#include "hub/api/http.h"
#include "hub/audit/audit_log.h"
#include "hub/sign/key_ring.h"
#include "hub/store/sqlite/database.h"

namespace yici::api {

struct AuditServices {
  audit::AuditLog* log = nullptr;
  store::sqlite::Database* db = nullptr;
  std::string log_id;
  std::function<std::shared_ptr<const sign::KeyRing>()> keys;  // null ring: no checkpoints can be signed
  std::vector<std::string> datasets;                           // where a subject may appear
  // The canonical forms of a subject, one per subject kind it is valid as (resident ID, credit
  // code); empty when it is none. Null: only the form given is searched.
  std::function<std::vector<std::string>(std::string_view)> canonical_subjects;
  // Why a requester filter that matched nothing may be a mistake (it names no principal of the
  // current policy, or a principal's display name or CN rather than its id); empty when it names
  // a principal. Null: no note. The note never repeats the caller's text.
  std::function<std::string(std::string_view)> requester_note;
};

// AuditServices::requester_note over the principals of the current policy.
std::string requester_note(const std::vector<access::Principal>& principals, std::string_view requester);

Response audit_checkpoint(const Request& request, AuditServices& s);
Response audit_inclusion_proof(const Request& request, AuditServices& s);
Response audit_consistency_proof(const Request& request, AuditServices& s);
Response audit_events(const Request& request, AuditServices& s);
Response audit_subject_report(const Request& request, const std::string& subject, AuditServices& s);

}  // namespace yici::api
