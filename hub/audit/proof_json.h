// Merkle proofs as the HTTP API (CONTRACT.md) carries them, hashes in standard base64:
//   inclusion   {"leaf_index":I,"tree_size":N,"leaf_hash":"…","path":["…",…]}
//   consistency {"from":M,"to":N,"path":["…",…]}
// Path order is RFC 9162's: from the leaf (or the older tree) up towards the root.
//
// Parsing is strict (every key present, of the right type, hashes exactly 32 bytes; unknown keys
// are ignored) and only checks form: use proof_verify.h to check a proof.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/audit/hash.h"
#include "hub/core/result.h"

namespace yici::audit {

struct InclusionProof {
  std::uint64_t leaf_index = 0;
  std::uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> path;
  friend bool operator==(const InclusionProof&, const InclusionProof&) = default;
};

struct ConsistencyProof {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::vector<Hash> path;
  friend bool operator==(const ConsistencyProof&, const ConsistencyProof&) = default;
};

boost::json::object to_json(const InclusionProof& proof);
boost::json::object to_json(const ConsistencyProof& proof);
// The serialized JSON text of to_json().
std::string render(const InclusionProof& proof);
std::string render(const ConsistencyProof& proof);

Result<InclusionProof> inclusion_proof_from_json(const boost::json::value& json);
Result<ConsistencyProof> consistency_proof_from_json(const boost::json::value& json);
Result<InclusionProof> parse_inclusion_proof(std::string_view text);
Result<ConsistencyProof> parse_consistency_proof(std::string_view text);

}  // namespace yici::audit
