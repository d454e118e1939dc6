#include "hub/audit/answer_inclusion.h"

#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include "hub/audit/audit_entry.h"
#include "hub/audit/proof_json.h"
#include "hub/audit/reference_tree.h"
#include "hub/core/sha256.h"
#include "tests/audit/merkle_test_util.h"
#include "tests/audit/sample_entry.h"

namespace yici::audit {
namespace {

const std::string kAnswer =
    R"({"request_id":"req-7","issued_at":"2026-11-24T08:00:00Z","requester":"market-regulation",)"
    R"("purpose":"food-business-license","dataset":"population","subject":"11010519491231002X",)"
    R"("audit_index":5,"records":[{"fields":{"name":"张三"}}]})";

// The entry the hub logs for kAnswer: at seq 5, with the SHA-256 of the answer's bytes.
AuditEntry entry_for(const std::string& answer, std::int64_t seq = 5) {
  AuditEntry e = test::sample_entry();
  e.seq = seq;
  e.request_id = "req-7";
  e.body_sha256 = sha256_hex(answer);
  return e;
}

// A log of `size` entries whose entry `at` has the leaf bytes `leaf`, the others synthetic.
struct Log {
  std::vector<Hash> leaves;
  std::string leaf;
  std::uint64_t at = 0;

  Log(const std::string& leaf_bytes, std::uint64_t index, std::uint64_t size = 7)
      : leaves(test::synthetic_leaves(size)), leaf(leaf_bytes), at(index) {
    leaves[index] = leaf_hash(leaf_bytes);
  }
  // The proof as GET /v1/audit/proof/inclusion serves it.
  [[nodiscard]] std::string proof() const {
    auto o = to_json(InclusionProof{at, leaves.size(), leaves[at], reference::inclusion_path(at, leaves)});
    o["leaf"] = leaf;
    return boost::json::serialize(o);
  }
  [[nodiscard]] Checkpoint checkpoint() const {
    return Checkpoint{.log_id = "log", .tree_size = leaves.size(), .root = reference::root(leaves)};
  }
};

std::string error_of(const Result<AnswerInclusion>& r) { return r ? std::string("(verified)") : r.error().message; }

}  // namespace

TEST_CASE("answer inclusion: the answer's own entry, proven under the checkpoint's root, verifies") {
  const Log log(entry_for(kAnswer).leaf_bytes(), 5);
  auto r = verify_answer_inclusion(kAnswer, log.proof(), log.checkpoint());
  REQUIRE_MESSAGE(r, error_of(r));
  CHECK(r->audit_index == 5);
  CHECK(r->tree_size == 7);
  CHECK(r->logged_at == "2026-11-24T03:20:00.123Z");
  CHECK(r->outcome == "allowed");
}

TEST_CASE("answer inclusion: another answer, another entry, another size or a forged proof does not verify") {
  const Log log(entry_for(kAnswer).leaf_bytes(), 5);

  SUBCASE("the answer's bytes changed (one character of a record)") {
    std::string changed = kAnswer;
    changed.replace(changed.find("张三"), std::string("张三").size(), "李四");
    const auto r = verify_answer_inclusion(changed, log.proof(), log.checkpoint());
    CHECK(error_of(r).find("body_sha256 is not the SHA-256 of this answer") != std::string::npos);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SUBCASE("a proof of another entry") {
    Log other = log;
    other.at = 4;
    other.leaf = "an entry of someone else";
    other.leaves[4] = leaf_hash(other.leaf);
    const auto r = verify_answer_inclusion(kAnswer, other.proof(), other.checkpoint());
    CHECK(error_of(r).find("the proof is of entry 4, not of one the answer names (audit_index 5)") !=
          std::string::npos);
  }
  SUBCASE("a checkpoint of another size: says which proof to fetch") {
    const Log bigger(log.leaf, 5, 9);
    const auto r = verify_answer_inclusion(kAnswer, log.proof(), bigger.checkpoint());
    CHECK(error_of(r).find("tree size 7 and the checkpoint for size 9") != std::string::npos);
    CHECK(error_of(r).find("/v1/audit/proof/inclusion?index=5&size=9") != std::string::npos);
  }
  SUBCASE("a checkpoint from before the entry: says to fetch a later one, not a proof that cannot exist") {
    const Log smaller(test::sample_entry().leaf_bytes(), 2, 5);
    const auto r = verify_answer_inclusion(kAnswer, log.proof(), smaller.checkpoint());
    CHECK(error_of(r) ==
          "the checkpoint (tree size 5) was signed before entry 5 was written, so it cannot prove it: fetch a later "
          "checkpoint (GET /v1/audit/checkpoint) and the proof at that checkpoint's size");
  }
  SUBCASE("leaf bytes edited to fit the answer, leaf_hash left") {
    Log forged = log;
    forged.leaf = entry_for(kAnswer).leaf_bytes();
    forged.leaf.replace(forged.leaf.find("req-7"), 5, "req-8");
    const auto r = verify_answer_inclusion(kAnswer, forged.proof(), log.checkpoint());
    CHECK(error_of(r).find("do not hash to its leaf_hash") != std::string::npos);
  }
  SUBCASE("the logged entry is another request's, another requester's or another purpose's") {
    for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
             {"request_id", "req-8"}, {"principal", "tax"}, {"purpose", "other-matter"}, {"dataset", "credit"}}) {
      CAPTURE(field);
      AuditEntry e = entry_for(kAnswer);
      if (field == "request_id") e.request_id = value;
      if (field == "principal") e.principal = value;
      if (field == "purpose") e.purpose = value;
      if (field == "dataset") e.dataset = value;
      const Log other(e.leaf_bytes(), 5);  // consistent: the hub logged that entry and signed its root
      const auto r = verify_answer_inclusion(kAnswer, other.proof(), other.checkpoint());
      CHECK(error_of(r).find("not this answer's access: its " + field + " is \"" + value + "\"") != std::string::npos);
    }
  }
  SUBCASE("the leaf is another seq's") {
    const Log shifted(entry_for(kAnswer, 6).leaf_bytes(), 5);
    const auto r = verify_answer_inclusion(kAnswer, shifted.proof(), shifted.checkpoint());
    CHECK(error_of(r).find("is not entry 5 (its seq differs)") != std::string::npos);
  }
  SUBCASE("a path hash changed, or a root that is not the tree's") {
    auto proof = boost::json::parse(log.proof()).as_object();
    auto parsed = inclusion_proof_from_json(proof).value();
    parsed.path[1] = test::flipped(parsed.path[1]);
    auto forged = to_json(parsed);
    forged["leaf"] = log.leaf;
    auto r = verify_answer_inclusion(kAnswer, boost::json::serialize(forged), log.checkpoint());
    CHECK(error_of(r).find("entry 5 is not proven in the checkpoint's tree (size 7)") != std::string::npos);
    Checkpoint other = log.checkpoint();
    other.root = test::flipped(other.root);
    r = verify_answer_inclusion(kAnswer, log.proof(), other);
    CHECK(error_of(r).find("is not proven") != std::string::npos);
  }
}

TEST_CASE("answer inclusion: a batch answer's item is matched by its audit_index and its dataset") {
  const std::string batch =
      R"({"request_id":"req-7","requester":"market-regulation","purpose":"food-business-license","items":[)"
      R"({"dataset":"legal_entity","subject":"91350100M000100Y43","status":200,"audit_index":4},)"
      R"({"dataset":"population","subject":"11010519491231002X","status":200,"audit_index":5}]})";
  const Log log(entry_for(batch).leaf_bytes(), 5);
  auto r = verify_answer_inclusion(batch, log.proof(), log.checkpoint());
  REQUIRE_MESSAGE(r, error_of(r));
  CHECK(r->audit_index == 5);
  // The item at 4 asked legal_entity: a population entry there is not its access.
  AuditEntry e = entry_for(batch, 4);
  const Log at4(e.leaf_bytes(), 4);
  r = verify_answer_inclusion(batch, at4.proof(), at4.checkpoint());
  CHECK(error_of(r).find("its dataset is \"population\", the answer's dataset is \"legal_entity\"") !=
        std::string::npos);
}

TEST_CASE("answer inclusion: inputs that are not what the hub serves are refused as invalid") {
  const Log log(entry_for(kAnswer).leaf_bytes(), 5);
  const auto invalid = [&](const std::string& answer, const std::string& proof, const std::string& says) {
    CAPTURE(answer);
    CAPTURE(proof);
    const auto r = verify_answer_inclusion(answer, proof, log.checkpoint());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find(says) != std::string::npos);
  };
  invalid("not json", log.proof(), "the answer is not JSON");
  invalid("[1,2]", log.proof(), "not a JSON object");
  invalid(R"({"request_id":"req-7","records":[]})", log.proof(), "names no audit_index");
  invalid(R"({"request_id":"req-7","audit_index":"5"})", log.proof(), "audit_index is not a non-negative integer");
  invalid(kAnswer, "{", "the proof is not JSON");
  auto without_leaf = boost::json::parse(log.proof()).as_object();
  without_leaf.erase("leaf");
  invalid(kAnswer, boost::json::serialize(without_leaf), "the proof has no \"leaf\" string");
  invalid(kAnswer, R"({"leaf_index":5,"leaf":"x"})", "");
  // A leaf that is not JSON but hashes right (a hub would never log it): invalid, not a crash.
  const Log odd("not json", 5);
  const auto r = verify_answer_inclusion(kAnswer, odd.proof(), odd.checkpoint());
  CHECK(error_of(r).find("the proof's leaf is not JSON") != std::string::npos);
  // The answer names no request_id: nothing ties the entry to it.
  std::string no_id = kAnswer;
  no_id.replace(no_id.find(R"("request_id":"req-7",)"), std::string(R"("request_id":"req-7",)").size(), "");
  const Log for_no_id(entry_for(no_id).leaf_bytes(), 5);
  CHECK(error_of(verify_answer_inclusion(no_id, for_no_id.proof(), for_no_id.checkpoint()))
            .find("the answer has no \"request_id\" string") != std::string::npos);
}

}  // namespace yici::audit
