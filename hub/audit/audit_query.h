// Reading the audit log: filtered, paged searches over audit_entries (by its indexes, and by
// subject through subject_index.h), for the auditor endpoints and yici-ctl. Values are always
// bound parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/audit/audit_entry.h"
#include "hub/core/result.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

struct AuditQuery {
  std::vector<std::string> subject_hmacs;  // any of (one per dataset the subject may be in); empty: all
  bool subject_filter = false;             // true: only entries whose subject_hmac is in subject_hmacs
  std::string principal;
  // Non-empty: only entries of certificates that mapped to no principal (principal "") whose
  // cert_fingerprint starts with this lowercase hex (`requester=cert:<hex>`, as searches show them).
  std::string cert_prefix;
  std::string dataset;  // a dataset, or "matter:CODE" for bundles
  std::string purpose;
  std::string action;
  std::string outcome;
  std::string from;             // RFC 3339, inclusive
  std::string to;               // RFC 3339, exclusive
  std::int64_t after_seq = -1;  // paging cursor
  int limit = 100;
};

struct StoredEntry {
  AuditEntry entry;
  bool subject_purged = false;  // the readable subject was removed (entry.subject is empty)
  Hash stored_leaf{};
};

// The SELECT list every reader uses, and the row reader that goes with it.
extern const char* const kAuditEntryColumns;
StoredEntry read_entry_row(const store::sqlite::Statement& st);

Result<std::vector<StoredEntry>> search_audit(store::sqlite::Database& db, const AuditQuery& query);
Result<std::optional<StoredEntry>> read_entry(store::sqlite::Database& db, std::uint64_t seq);
// How many entries the log holds (one past the highest seq), from the end of the seq index.
Result<std::uint64_t> stored_entry_count(store::sqlite::Database& db);

// Every dataset value entries were written under (the audit_datasets table), sorted.
Result<std::vector<std::string>> datasets_in_log(store::sqlite::Database& db);

// Reads every entry in seq order, calling `fn` for each (for verification and exports).
Status scan_audit(store::sqlite::Database& db, const std::function<Status(const StoredEntry&)>& fn);

}  // namespace yici::audit
