// Signed checkpoints: {"log_id","tree_size","root_hash","timestamp"} as a compact JWS (typ
// "yici-checkpoint+jws") with the hub's active signing key, verifiable with its JWKS. Whoever keeps
// a checkpoint can later demand a consistency proof to a newer one (CONTRACT.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "hub/audit/hash.h"
#include "hub/core/result.h"
#include "hub/sign/key_ring.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

inline constexpr const char* kCheckpointTyp = "yici-checkpoint+jws";

struct Checkpoint {
  std::string log_id;
  std::uint64_t tree_size = 0;
  Hash root{};
  std::string timestamp;  // RFC 3339
  std::string jws;        // compact JWS over the payload
};

// The payload JSON, keys in this order.
std::string checkpoint_payload(const std::string& log_id, std::uint64_t tree_size, const Hash& root,
                               const std::string& timestamp);

Result<Checkpoint> sign_checkpoint(const std::string& log_id, std::uint64_t tree_size, const Hash& root,
                                   const sign::KeyRing& keys);

// Parses a checkpoint's JWS payload (after verifying it: see verify_checkpoint).
Result<Checkpoint> parse_checkpoint_payload(std::string_view payload_json);

// A checkpoint as GET /v1/audit/checkpoint serves it (a compact JWS), checked: signed by a key of
// `jwks` (sign::verify_jws), typ kCheckpointTyp (a signed answer is not a checkpoint), its payload
// parsed. The error is verify_jws's, the typ's or the payload's, for the caller to prefix.
struct VerifiedCheckpoint {
  Checkpoint checkpoint;  // jws set to the verified text
  std::string kid;        // the key that signed it
};
Result<VerifiedCheckpoint> verify_checkpoint(const sign::Jwks& jwks, std::string_view jws);

// A checkpoint's payload read without checking its signature (offline verification without a
// JWKS): the JWS must have three parts and typ kCheckpointTyp. Other text (hub.yaml, a saved
// answer) is refused with the same "not a signed checkpoint" message as verify_checkpoint's.
Result<Checkpoint> read_checkpoint_unverified(std::string_view jws);

// audit_checkpoints table: every checkpoint is kept.
Status store_checkpoint(store::sqlite::Database& db, const Checkpoint& checkpoint);
// The newest, or the one at `size`; nullopt when there is none.
Result<std::optional<Checkpoint>> load_checkpoint(store::sqlite::Database& db, std::optional<std::uint64_t> size,
                                                  const std::string& log_id);

// The key ids that signed the stored checkpoints, each with how many it signed (read from the
// JWS headers; a header that does not decode counts under ""). A key that leaves the hub's ring
// while it signed stored checkpoints leaves them unverifiable with the hub's own JWKS.
Result<std::map<std::string, std::uint64_t>> stored_checkpoint_kids(store::sqlite::Database& db);

}  // namespace yici::audit
