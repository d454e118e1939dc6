// That a signed answer's access is in the hub's audit log, under a root the hub signed: checked
// offline by the department that received the answer (yici-verify --proof --checkpoint).
//
// The department keeps three things from the hub: the answer's body, the inclusion proof of the
// audit_index the answer names (GET /v1/audit/proof/inclusion?index=I&size=N, which carries the
// entry's leaf bytes) and the checkpoint at that size (GET /v1/audit/checkpoint?size=N). This checks
//   - that the proof is of an entry the answer names: its top-level audit_index, or an item's
//     audit_index in a batch answer;
//   - that the proof's leaf bytes hash to its leaf_hash (RFC 9162 §2.1.1) and are this answer's
//     access: the answer's request_id, requester, purpose and dataset (where it names one), and
//     body_sha256 the SHA-256 of the answer's exact bytes;
//   - that the path leads from that leaf hash to the checkpoint's root, at the checkpoint's size.
// The signatures of the answer and of the checkpoint are checked by the caller (sign::verify_jws,
// and the checkpoint's typ); this function trusts neither the proof nor the leaf.
//
// Errors: Error::invalid when an input is not what the hub serves (not JSON, a key missing or of
// the wrong type, an answer with no audit_index); Error::corruption when they are well formed but
// do not fit together. The message says which check failed and what to fetch instead where that
// helps (a proof taken at another size than the checkpoint's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hub/audit/checkpoint.h"
#include "hub/core/result.h"

namespace yici::audit {

struct AnswerInclusion {
  std::uint64_t audit_index = 0;
  std::uint64_t tree_size = 0;
  std::string logged_at;  // the entry's time
  std::string outcome;    // allowed, or the refusal's code (an item of a batch answer)
};

Result<AnswerInclusion> verify_answer_inclusion(std::string_view answer, std::string_view proof_json,
                                                const Checkpoint& checkpoint);

}  // namespace yici::audit
