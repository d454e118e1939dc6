// Offline verification of a hub's audit log (yici-ctl audit verify --data-dir): recompute every
// leaf from the readable columns (in parallel, leaf_scan.h), rebuild the tree from the leaves and
// compare every stored tree node with it (the hub serves proofs from those), and check every stored
// checkpoint's signature (with the hub's JWKS), root and log id, a checkpoint saved earlier
// (refused when it is from another log), and that the subject index lists exactly the entries' subjects
// (subject_index_check.h). Opens the database read-only; never needs the hub running.
//
// What it cannot see: entries cut from the end together with their checkpoints and tree nodes
// leave a shorter log that is consistent in itself. A checkpoint kept outside the hub
// (saved_checkpoint_jws) shows that, and so does meta.db's high-water mark (VerifyOptions::
// high_water) unless it was rolled back with audit.db; the report gives the size the latest
// stored checkpoint covers.
#pragma once

#include <optional>
#include <string>

#include "hub/audit/hash.h"
#include "hub/audit/high_water.h"
#include "hub/core/result.h"
#include "hub/sign/key_ring.h"

namespace yici::audit {

struct VerifyReport {
  std::uint64_t entries = 0;
  bool subjects_checked = false;  // readable subjects against their HMAC (VerifyOptions::subject_key)
  // The subject index holds exactly the entries' (subject_hmac, seq) where a search reads them
  // (subject_index_check.h): subject_index_rows rows. Not checked: subject_index_skipped says why.
  bool subject_index_checked = false;
  std::uint64_t subject_index_rows = 0;
  std::string subject_index_skipped;
  Hash root{};
  std::uint64_t nodes = 0;            // stored tree nodes compared with the recomputed tree
  std::uint64_t checkpoints = 0;      // stored checkpoints checked
  std::uint64_t last_checkpoint = 0;  // the size the largest stored checkpoint covers; 0: none
  bool signatures_checked = false;
  std::string log_id;  // audit.db's log_info (empty for a log older than that table)
  // Stored checkpoints whose signed log_id is not log_id (their roots matched), and the first.
  std::uint64_t checkpoints_other_log = 0;
  std::uint64_t first_other_log_size = 0;
  std::string first_other_log_id;
  bool high_water_checked = false;  // VerifyOptions::high_water was this log's, and matched
  std::string problem;  // empty: everything verified; else the first problem (names the entry or checkpoint)
};

struct VerifyOptions {
  unsigned threads = 0;         // chunks recomputed at once; 0: one per core, at most 8
  std::uint64_t chunk = 16384;  // entries per chunk (threads × chunk entries are held in memory)
  // The audit HMAC key (audit-hmac.key): readable subjects are then checked against their HMAC.
  // Without it, a subject changed (not purged) in the database goes unnoticed: it is not in the leaf.
  std::optional<std::string> subject_key;
  bool check_subject_index = true;
  // meta.db's high-water mark (high_water.h): the newest checkpoint the hub stored. audit.db must
  // still hold that checkpoint, and the entries must give its root; a rewrite that also deleted
  // the stored checkpoints is seen by this (the hub refuses to start on it). A mark of another log
  // id is no claim on this log.
  std::optional<HighWater> high_water;
};

// `jwks` null: roots are checked but signatures are not (the report says so).
Result<VerifyReport> verify_audit_db(const std::string& audit_db_path, const sign::Jwks* jwks,
                                     const std::optional<std::string>& saved_checkpoint_jws,
                                     const VerifyOptions& options = {});

}  // namespace yici::audit
