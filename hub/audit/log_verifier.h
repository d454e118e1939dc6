// Offline verification of a hub's audit log (yici-ctl audit verify --data-dir): recompute every
// leaf from the readable columns (in parallel, leaf_scan.h), rebuild the tree root from the leaves, and check every
// stored checkpoint's signature (with the hub's JWKS) and root, and a checkpoint saved earlier. Opens the database
// read-only; never needs the hub running.
#pragma once

#include <optional>
#include <string>

#include "hub/audit/hash.h"
#include "hub/core/result.h"
#include "hub/sign/key_ring.h"

namespace yici::audit {

struct VerifyReport {
  std::uint64_t entries = 0;
  bool subjects_checked = false;  // readable subjects against their HMAC (VerifyOptions::subject_key)
  Hash root{};
  std::uint64_t checkpoints = 0;  // stored checkpoints checked
  bool signatures_checked = false;
  std::string problem;  // empty: everything verified; else the first problem (names the entry or checkpoint)
};

struct VerifyOptions {
  unsigned threads = 0;         // workers recomputing leaves; 0: one per core, at most 8
  std::uint64_t chunk = 32768;  // entries per worker task (a round is threads × chunk entries in memory)
  // The audit HMAC key (audit-hmac.key): readable subjects are then checked against their HMAC.
  // Without it, a subject changed (not purged) in the database goes unnoticed: it is not in the leaf.
  std::optional<std::string> subject_key;
};

// `jwks` null: roots are checked but signatures are not (the report says so).
Result<VerifyReport> verify_audit_db(const std::string& audit_db_path, const sign::Jwks* jwks,
                                     const std::optional<std::string>& saved_checkpoint_jws,
                                     const VerifyOptions& options = {});

}  // namespace yici::audit
