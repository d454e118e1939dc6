// One audit log entry: what is stored readable in `audit_entries`, and the leaf bytes the Merkle
// tree commits to.
//
// The leaf commits to every field, but to the subject only through subject_hmac = base64(HMAC-SHA256
// (hub secret, dataset "\n" subject)): a readable subject can be purged after its retention period
// (set NULL) while the tree still verifies, and whoever holds the secret can still find a subject's
// entries. Verification recomputes the leaf from the readable columns, so an edited row is caught.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/audit/hash.h"
#include "hub/core/hmac_sha256.h"

namespace yici::audit {

// audit_by_subject is dropped again by a later migration: subjects are found through
// audit_subject_index, kept off the commit path (subject_index.h).
inline constexpr const char* kAuditEntryMigration = R"sql(
CREATE TABLE audit_entries (
  seq              INTEGER PRIMARY KEY,     -- the leaf index, from 0, no gaps
  time             TEXT NOT NULL,
  request_id       TEXT NOT NULL,
  principal        TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  purpose          TEXT NOT NULL,
  action           TEXT NOT NULL,
  dataset          TEXT NOT NULL,
  subject          TEXT,                    -- readable copy; NULL once purged
  subject_hmac     TEXT NOT NULL,
  fields           TEXT NOT NULL,           -- JSON array of the fields returned
  outcome          TEXT NOT NULL,
  http_status      INTEGER NOT NULL,
  body_sha256      TEXT NOT NULL,
  leaf_hash        BLOB NOT NULL CHECK (length(leaf_hash) = 32)
);
CREATE INDEX audit_by_subject ON audit_entries (subject_hmac, seq);
CREATE INDEX audit_by_principal ON audit_entries (principal, seq);
CREATE INDEX audit_by_time ON audit_entries (time);
CREATE TABLE audit_checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  TEXT NOT NULL,                 -- standard base64
  timestamp  TEXT NOT NULL,
  jws        TEXT NOT NULL
);
)sql";

// Every dataset value entries were written under (a subject's HMAC is keyed by it): a subject
// search covers datasets, matters and sources no longer in the configuration too. Filled from the
// entries once when the table is created, then as entries are written.
inline constexpr const char* kAuditDatasetsMigration = R"sql(
CREATE TABLE audit_datasets (dataset TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO audit_datasets SELECT DISTINCT dataset FROM audit_entries;
)sql";

struct AuditEntry {
  std::int64_t seq = 0;
  std::string time;
  std::string request_id;
  std::string principal;
  std::string cert_fingerprint;
  std::string purpose;
  std::string action;
  std::string dataset;
  std::string subject;       // may be empty (admin actions) or purged
  std::string subject_hmac;  // standard base64
  std::vector<std::string> fields;
  std::string outcome;
  int http_status = 0;
  std::string body_sha256;  // hex

  // The canonical leaf: versioned JSON with a fixed key order, no whitespace.
  [[nodiscard]] std::string leaf_bytes() const;
  [[nodiscard]] Hash leaf() const { return leaf_hash(leaf_bytes()); }
  // The fields array as stored in the `fields` column.
  [[nodiscard]] std::string fields_json() const;
};

// The parts of a leaf, as views: an AuditEntry's, or a stored row's columns read in place (the
// verifier renders millions of leaves without copying a row). `fields_json` is the fields array as
// AuditEntry::fields_json() writes it and the `fields` column stores it.
struct LeafParts {
  std::int64_t seq = 0;
  std::string_view time, request_id, principal, cert_fingerprint, purpose, action, dataset, subject_hmac, fields_json,
      outcome;
  int http_status = 0;
  std::string_view body_sha256;
};

// Appends the canonical leaf (see AuditEntry::leaf_bytes) to `out`.
void append_leaf_bytes(std::string& out, const LeafParts& parts);

// base64(HMAC-SHA256(key, dataset "\n" subject_key(subject))) (subject_key.h: one HMAC for the
// ways of writing one identifier).
std::string subject_hmac(const HmacSha256& key, std::string_view dataset, std::string_view subject);
inline std::string subject_hmac(const std::string& key, const std::string& dataset, const std::string& subject) {
  return subject_hmac(HmacSha256(key), dataset, subject);
}
// base64(HMAC-SHA256(key, dataset "\n" subject)), of the subject as written: what entries written
// by hubs before session 22 carry when their subject was not its own key. Searches look for both.
std::string subject_hmac_as_written(const HmacSha256& key, std::string_view dataset, std::string_view subject);
// `stored` is the subject's HMAC, of its key or (an entry from before session 22) as written, compared
// without building strings (the verifier checks every entry's readable subject).
bool subject_hmac_matches(const HmacSha256& key, std::string_view dataset, std::string_view subject,
                          std::string_view stored);

}  // namespace yici::audit
