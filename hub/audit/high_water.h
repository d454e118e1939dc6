// The audit log's high-water mark: the newest checkpoint this hub signed (log id, tree size, root),
// kept in meta.db, outside audit.db. An audit.db put back from an older backup, or rolled back any
// other way, is then noticed at start: it holds fewer entries than the hub has already signed for
// (or another tree at that size), and appending to it would give new entries the indexes that
// departments hold answers and proofs for, a fork of the log under the same id.
//
// Restoring the whole data directory from one backup moves the mark back too; only the
// checkpoints departments and auditors keep catch that (README, "Backups").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hub/audit/checkpoint.h"
#include "hub/audit/merkle_tree.h"
#include "hub/core/result.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

struct HighWater {
  std::string log_id;
  std::uint64_t tree_size = 0;
  Hash root{};
  std::string timestamp;  // the checkpoint's
};

// The mark in meta.db's hub_info, or nullopt when none was kept yet.
Result<std::optional<HighWater>> load_high_water(store::sqlite::Database& meta);
// The same from a connection to meta.db (yici-ctl audit verify opens it read-only).
Result<std::optional<HighWater>> load_high_water(store::sqlite::Connection& meta);

// Keeps `checkpoint` as the mark (a larger tree only; a smaller one leaves the mark as it is).
Status save_high_water(store::sqlite::Database& meta, const Checkpoint& checkpoint);

// Refuses a log that is behind the mark or differs from it at the mark's size. A mark of another
// log id (a log begun anew, meta.db from another hub) is no claim on this log. `audit_path` names
// the file in the error.
Status check_high_water(const std::optional<HighWater>& mark, const std::string& log_id, const MerkleTree& tree,
                        const std::string& audit_path);

}  // namespace yici::audit
