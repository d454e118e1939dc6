#include "hub/audit/proof_json.h"

#include <doctest/doctest.h>

#include "hub/audit/base64.h"
#include "tests/audit/rfc6962_vectors.h"

namespace yici::audit {
namespace {

TEST_CASE("proof json: inclusion proof renders exactly per CONTRACT.md, hashes in standard base64") {
  const auto& v = test::rfc6962_inclusion_vectors()[1];  // leaf 0 of 8
  InclusionProof p{v.leaf_index, v.tree_size, test::rfc6962_leaf_hashes()[0], v.path};
  const std::string text = render(p);
  CHECK(text ==
        "{\"leaf_index\":0,\"tree_size\":8,\"leaf_hash\":\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\","
        "\"path\":[\"lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=\",\"Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=\","
        "\"a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\"]}");
  auto back = parse_inclusion_proof(text);
  REQUIRE(back.ok());
  CHECK(*back == p);
}

TEST_CASE("proof json: consistency proof renders and parses back") {
  const auto& v = test::rfc6962_consistency_vectors()[3];  // 2 -> 5
  ConsistencyProof p{v.from, v.to, v.path};
  const std::string text = render(p);
  CHECK(text ==
        "{\"from\":2,\"to\":5,\"path\":[\"Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=\","
        "\"vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\"]}");
  auto back = parse_consistency_proof(text);
  REQUIRE(back.ok());
  CHECK(*back == p);
  CHECK(render(ConsistencyProof{0, 3, {}}) == "{\"from\":0,\"to\":3,\"path\":[]}");
}

TEST_CASE("proof json: malformed proofs are rejected with a reason") {
  const std::string h = hash_to_base64(empty_root());
  for (const std::string& bad : {
           std::string("not json"),
           std::string("[]"),
           std::string("{\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":[]}"),
           std::string("{\"leaf_index\":-1,\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":[]}"),
           std::string("{\"leaf_index\":0.5,\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":[]}"),
           std::string("{\"leaf_index\":\"0\",\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":[]}"),
           std::string("{\"leaf_index\":0,\"tree_size\":1,\"path\":[]}"),
           std::string("{\"leaf_index\":0,\"tree_size\":1,\"leaf_hash\":\"Zm9v\",\"path\":[]}"),
           std::string("{\"leaf_index\":0,\"tree_size\":1,\"leaf_hash\":\"" + h + "\"}"),
           std::string("{\"leaf_index\":0,\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":\"" + h + "\"}"),
           std::string("{\"leaf_index\":0,\"tree_size\":1,\"leaf_hash\":\"" + h + "\",\"path\":[1]}"),
       }) {
    CAPTURE(bad);
    auto r = parse_inclusion_proof(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK_FALSE(parse_consistency_proof("{\"from\":1,\"path\":[]}").ok());
  CHECK_FALSE(parse_consistency_proof("{\"from\":1,\"to\":2,\"path\":[\"" + h.substr(1) + "\"]}").ok());
  CHECK(parse_consistency_proof("{\"from\":1,\"to\":2,\"path\":[\"" + h + "\"],\"extra\":true}").ok());
}

}  // namespace
}  // namespace yici::audit
