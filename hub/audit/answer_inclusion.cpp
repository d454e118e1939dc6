#include "hub/audit/answer_inclusion.h"

#include <optional>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "hub/audit/proof_json.h"
#include "hub/audit/proof_verify.h"
#include "hub/core/sha256.h"

namespace yici::audit {
namespace {

// An entry the answer names: its audit_index and, where the answer says, the dataset asked.
struct Named {
  std::uint64_t index = 0;
  std::optional<std::string> dataset;
};

Result<boost::json::object> parse_object(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return Error::invalid(what + " is not JSON: " + ec.message());
  if (!v.is_object()) return Error::invalid(what + " is not a JSON object");
  return std::move(v.as_object());
}

// The string at `key`; an error naming `what` when it is missing or not a string.
Result<std::string> string_at(const boost::json::object& o, std::string_view key, const std::string& what) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return Error::invalid(what + " has no \"" + std::string(key) + "\" string");
  return std::string(v->as_string());
}

std::optional<std::string> optional_string(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<std::optional<Named>> named_in(const boost::json::object& o, const std::string& what) {
  const auto* v = o.if_contains("audit_index");
  if (v == nullptr) return std::optional<Named>();
  if (!v->is_int64() || v->as_int64() < 0) return Error::invalid(what + ": audit_index is not a non-negative integer");
  return std::optional<Named>(Named{static_cast<std::uint64_t>(v->as_int64()), optional_string(o, "dataset")});
}

// Every entry the answer names: a lookup's or a matter bundle's audit_index, a batch's items'.
Result<std::vector<Named>> named_entries(const boost::json::object& answer) {
  std::vector<Named> named;
  YICI_TRY(auto top, named_in(answer, "the answer"));
  if (top) named.push_back(*top);
  if (const auto* items = answer.if_contains("items"); items != nullptr && items->is_array()) {
    for (const auto& item : items->as_array()) {
      if (!item.is_object()) continue;
      YICI_TRY(auto one, named_in(item.as_object(), "an item of the answer"));
      if (one) named.push_back(*one);
    }
  }
  if (named.empty()) return Error::invalid("the answer names no audit_index: it is not a signed answer from the hub");
  return named;
}

// The leaf's `key` must be the answer's; checked only where the answer has the key.
Status same(const boost::json::object& leaf, std::string_view leaf_key, const std::optional<std::string>& answer_value,
            std::string_view answer_key) {
  if (!answer_value) return {};
  YICI_TRY(const std::string logged, string_at(leaf, leaf_key, "the proof's leaf"));
  if (logged != *answer_value) {
    return Error::corruption("the logged entry is not this answer's access: its " + std::string(leaf_key) + " is \"" +
                             logged + "\", the answer's " + std::string(answer_key) + " is \"" + *answer_value + "\"");
  }
  return {};
}

}  // namespace

Result<AnswerInclusion> verify_answer_inclusion(std::string_view answer, std::string_view proof_json,
                                                const Checkpoint& checkpoint) {
  YICI_TRY(const auto body, parse_object(answer, "the answer"));
  YICI_TRY(const auto named, named_entries(body));
  YICI_TRY(const auto proof_object, parse_object(proof_json, "the proof"));
  YICI_TRY(const InclusionProof proof, inclusion_proof_from_json(proof_object));
  YICI_TRY(const std::string leaf_text, string_at(proof_object, "leaf", "the proof"));

  const Named* entry = nullptr;
  for (const auto& n : named) {
    if (n.index == proof.leaf_index) entry = &n;
  }
  if (entry == nullptr) {
    return Error::corruption("the proof is of entry " + std::to_string(proof.leaf_index) +
                             ", not of one the answer names (audit_index " + std::to_string(named.front().index) +
                             (named.size() > 1 ? " and others" : "") + ")");
  }
  const std::string index = std::to_string(proof.leaf_index);
  if (proof.tree_size != checkpoint.tree_size && checkpoint.tree_size <= proof.leaf_index) {
    // No proof at the checkpoint's size exists: the entry came after it.
    return Error::corruption("the checkpoint (tree size " + std::to_string(checkpoint.tree_size) +
                             ") was signed before entry " + index +
                             " was written, so it cannot prove it: fetch a later checkpoint (GET /v1/audit/checkpoint) "
                             "and the proof at that checkpoint's size");
  }
  if (proof.tree_size != checkpoint.tree_size) {
    const std::string size = std::to_string(checkpoint.tree_size);
    return Error::corruption(
        "the proof is for tree size " + std::to_string(proof.tree_size) + " and the checkpoint for size " + size +
        ": fetch the proof at the checkpoint's size (GET /v1/audit/proof/inclusion?index=" + index + "&size=" + size +
        ") or the checkpoint at the proof's");
  }
  if (leaf_hash(leaf_text) != proof.leaf_hash) {
    return Error::corruption("the proof's leaf bytes do not hash to its leaf_hash: the leaf is not the one proven");
  }

  YICI_TRY(const auto leaf, parse_object(leaf_text, "the proof's leaf"));
  const auto* seq = leaf.if_contains("seq");
  if (seq == nullptr || !seq->is_int64() || seq->as_int64() < 0 ||
      static_cast<std::uint64_t>(seq->as_int64()) != proof.leaf_index) {
    return Error::corruption("the proof's leaf is not entry " + index + " (its seq differs)");
  }
  YICI_TRY(const std::string request_id, string_at(body, "request_id", "the answer"));
  YICI_TRY_STATUS(same(leaf, "request_id", request_id, "request_id"));
  YICI_TRY_STATUS(same(leaf, "principal", optional_string(body, "requester"), "requester"));
  YICI_TRY_STATUS(same(leaf, "purpose", optional_string(body, "purpose"), "purpose"));
  YICI_TRY_STATUS(same(leaf, "dataset", entry->dataset, "dataset"));
  YICI_TRY(const std::string body_sha256, string_at(leaf, "body_sha256", "the proof's leaf"));
  if (body_sha256 != sha256_hex(answer)) {
    return Error::corruption(
        "the logged entry's body_sha256 is not the SHA-256 of this answer's bytes: the entry "
        "records another answer to request " +
        request_id + " (or the answer file is not the exact body received)");
  }

  if (auto included = verify_inclusion(proof.leaf_index, proof.tree_size, proof.leaf_hash, proof.path, checkpoint.root);
      !included.ok()) {
    return Error::corruption("entry " + index + " is not proven in the checkpoint's tree (size " +
                             std::to_string(checkpoint.tree_size) + "): " + included.error().message);
  }
  AnswerInclusion out{.audit_index = proof.leaf_index, .tree_size = proof.tree_size};
  out.logged_at = optional_string(leaf, "time").value_or("");
  out.outcome = optional_string(leaf, "outcome").value_or("");
  return out;
}

}  // namespace yici::audit
