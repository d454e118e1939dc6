// yici-verify against responses signed by the hub's key ring, and against forgeries.
#include <map>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/audit/checkpoint.h"
#include "hub/sign/base64url.h"
#include "hub/sign/key_ring.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

std::string verify(const std::string& args, int* rc) {
  std::string out;
  *rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-verify " + args, &out);
  return out;
}

TEST_CASE("yici-verify: both forms verify offline and print the summary, forgeries exit 1 with the reason") {
  TempDir dir;
  auto ring = sign::KeyRing::load({{pki("signing/active.key"), sign::KeyState::kActive},
                                   {pki("signing/next.key"), sign::KeyState::kNext}})
                  .value();
  dir.write("jwks.json", ring->jwks_json());
  const std::string body =
      R"({"request_id":"r1","issued_at":"2026-11-22T08:00:00Z","requester":"market-regulation","purpose":"food-business-license","dataset":"population","subject":"11010519491231002X","records":[]})";
  dir.write("body.json", body);
  dir.write("sig.txt", ring->sign(body, "yici-response+json", true).value() + "\n");
  dir.write("response.jose", ring->sign(body, "yici-response+json", false).value());
  const std::string jwks = "--jwks " + dir.file("jwks.json") + " ";
  int rc = -1;
  auto out = verify(jwks + "--signature " + dir.file("sig.txt") + " " + dir.file("body.json"), &rc);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED with key " + ring->active().kid) != std::string::npos);
  CHECK(out.find("subject: 11010519491231002X") != std::string::npos);
  CHECK(out.find("requester: market-regulation") != std::string::npos);
  CHECK(out.find("purpose: food-business-license") != std::string::npos);
  out = verify(jwks + dir.file("response.jose"), &rc);
  CHECK(rc == 0);
  CHECK(out.find("issued_at: 2026-11-22T08:00:00Z") != std::string::npos);
  // The JSON body without its --signature: not verified, and told where the signature is.
  out = verify(jwks + dir.file("body.json"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("give its X-Yici-Signature header value with --signature") != std::string::npos);

  std::string tampered = body;
  tampered.replace(tampered.find("002X"), 4, "0037");
  dir.write("tampered.json", tampered);
  out = verify(jwks + "--signature " + dir.file("sig.txt") + " " + dir.file("tampered.json"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("does not verify") != std::string::npos);

  const std::string none = sign::base64url_encode(R"({"alg":"none","kid":")" + ring->active().kid + R"("})") + "." +
                           sign::base64url_encode(body) + ".";
  dir.write("none.jose", none);
  out = verify(jwks + dir.file("none.jose"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("must be ES256") != std::string::npos);

  dir.write("empty-jwks.json", R"({"keys":[]})");
  out = verify("--jwks " + dir.file("empty-jwks.json") + " " + dir.file("response.jose"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("unknown key id") != std::string::npos);

  // Signed by the hub's keys, but not as an answer: another typ, or none.
  dir.write("other-typ.jose", ring->sign(R"({"hello":1})", "JWT", false).value());
  out = verify(jwks + dir.file("other-typ.jose"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("not a hub answer: its typ is \"JWT\", not yici-response+json") != std::string::npos);
  {
    const std::string header = sign::base64url_encode(R"({"alg":"ES256","kid":")" + ring->active().kid + R"("})");
    const std::string input = header + "." + sign::base64url_encode(body);
    dir.write("no-typ.jose", input + "." + sign::base64url_encode(ring->active().key->sign(input).value()));
    out = verify(jwks + dir.file("no-typ.jose"), &rc);
    CHECK(rc == 1);
    CHECK(out.find("its typ is missing") != std::string::npos);
  }

  // The hub's key and the answer's typ over something that is no answer: not shown as verified.
  for (const char* payload : {"not json", R"({"a":1})", R"(["requester","request_id"])"}) {
    CAPTURE(payload);
    dir.write("not-answer.jose", ring->sign(payload, "yici-response+json", false).value());
    out = verify(jwks + dir.file("not-answer.jose"), &rc);
    CHECK(rc == 1);
    CHECK(out.find("what it signs is not a hub answer") != std::string::npos);
    CHECK(out.find("VERIFIED with") == std::string::npos);
  }

  dir.write("garbage.jose", "not a jws");
  verify(jwks + dir.file("garbage.jose"), &rc);
  CHECK(rc == 1);
  verify(jwks + dir.file("missing.json"), &rc);
  CHECK(rc == 2);
  // A directory where a file belongs, a CA that is not there, a JWKS URL in the clear: usage
  // errors (2), where they read as empty input and "NOT VERIFIED" (1).
  for (const std::string& args :
       {jwks + dir.path().string(), jwks + "--signature " + dir.path().string() + " " + dir.file("body.json"),
        "--jwks " + dir.path().string() + " " + dir.file("response.jose"),
        jwks + "--ca " + dir.file("absent-ca.crt") + " " + dir.file("response.jose"),
        "--jwks http://127.0.0.1:1/.well-known/jwks.json " + dir.file("response.jose")}) {
    CAPTURE(args);
    verify(args, &rc);
    CHECK(rc == 2);
  }
  verify("", &rc);
  CHECK(rc == 2);
}

TEST_CASE("yici-verify: a bundle's summary names its applicant and matter, and a retired key is pointed out") {
  TempDir dir;
  // After a rotation: the key that signed is retired, another is active.
  auto ring = sign::KeyRing::load({{pki("signing/next.key"), sign::KeyState::kActive},
                                   {pki("signing/active.key"), sign::KeyState::kRetired}})
                  .value();
  auto signer = sign::KeyRing::load({{pki("signing/active.key"), sign::KeyState::kActive}}).value();
  dir.write("jwks.json", ring->jwks_json());
  const std::string bundle =
      R"({"request_id":"r2","issued_at":"2026-11-22T08:00:00Z","requester":"market-regulation",)"
      R"("purpose":"food-business-license","matter":{"code":"food-business-license","name":"食品经营许可"},)"
      R"("applicant":"91350100M000100Y43","materials":[]})";
  dir.write("bundle.jose", signer->sign(bundle, "yici-response+json", false).value());
  int rc = -1;
  auto out = verify("--jwks " + dir.file("jwks.json") + " " + dir.file("bundle.jose"), &rc);
  INFO(out);
  CHECK(rc == 0);  // a retired key still verifies what it signed
  CHECK(out.find("applicant: 91350100M000100Y43") != std::string::npos);
  CHECK(out.find("matter: food-business-license (食品经营许可)") != std::string::npos);
  CHECK(out.find("note: the JWKS marks key " + signer->active().kid + " retired") != std::string::npos);
  // Signed with the active key: no note.
  dir.write("current.jose", ring->sign(bundle, "yici-response+json", false).value());
  out = verify("--jwks " + dir.file("jwks.json") + " " + dir.file("current.jose"), &rc);
  CHECK(rc == 0);
  CHECK(out.find("note:") == std::string::npos);
}

TEST_CASE("yici-verify: fetches the JWKS from a running hub over HTTPS") {
  HubProcess hub;
  TempDir dir;
  auto ring = sign::KeyRing::load({{pki("signing/active.key"), sign::KeyState::kActive}}).value();
  dir.write("response.jose",
            ring->sign(R"({"subject":"S","requester":"r","request_id":"q"})", "yici-response+json", false).value());
  int rc = -1;
  auto out = verify("--jwks https://localhost:" + std::to_string(hub.port()) + "/.well-known/jwks.json --ca " +
                        pki("ca.crt") + " " + dir.file("response.jose"),
                    &rc);
  CHECK(rc == 0);
  CHECK(out.find("subject: S") != std::string::npos);
}

TEST_CASE("yici-verify: --proof and --checkpoint show that the hub logged this very answer") {
  TempDir work;
  write_person_department(work);
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = work.file("sources"), .data_dir = work.file("data")});
  const auto market = HubProcess::as("market-regulation");
  const std::string lookup = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  const HttpResult first = wait_for(hub.port(), market, lookup);
  REQUIRE(first.status == 200);
  const HttpResult second = https_request(hub.port(), market, "GET", lookup);
  REQUIRE(second.status == 200);
  const HttpResult jose = https_request(hub.port(), market, "GET", lookup, "", {{"Accept", "application/jose"}});
  REQUIRE(jose.status == 200);
  work.write("jwks.json", https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);
  work.write("first.json", first.body);
  work.write("first.sig", first.headers.at("x-yici-signature"));
  work.write("second.json", second.body);
  work.write("second.sig", second.headers.at("x-yici-signature"));
  work.write("third.jose", jose.body);

  // What a department keeps: the checkpoint at some size, and its entries' proofs at that size.
  const HttpResult cp = https_request(hub.port(), market, "GET", "/v1/audit/checkpoint");
  REQUIRE(cp.status == 200);
  work.write("checkpoint.jws", cp.body);
  const auto dot = cp.body.find('.');
  const auto size = audit::parse_checkpoint_payload(
                        sign::base64url_decode(cp.body.substr(dot + 1, cp.body.find('.', dot + 1) - dot - 1)).value())
                        .value()
                        .tree_size;
  std::map<std::string, std::string> proofs;
  const auto prove = [&](const std::string& answer, const std::string& file) {
    const auto index = boost::json::parse(answer).at("audit_index").as_int64();
    const HttpResult proof =
        https_request(hub.port(), market, "GET",
                      "/v1/audit/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(size));
    REQUIRE(proof.status == 200);
    work.write(file, proof.body);
    proofs[file] = proof.body;
    return index;
  };
  const auto first_index = prove(first.body, "first-proof.json");
  prove(second.body, "second-proof.json");
  // The compact form's payload is the body the hub logged.
  const auto jose_payload =
      sign::base64url_decode(jose.body.substr(jose.body.find('.') + 1, jose.body.rfind('.') - jose.body.find('.') - 1));
  prove(jose_payload.value(), "third-proof.json");

  const std::string jwks = "--jwks " + work.file("jwks.json") + " ";
  const auto answer = [&](const std::string& name) {
    return "--signature " + work.file(name + ".sig") + " " + work.file(name + ".json");
  };
  const auto with = [&](const std::string& proof, const std::string& checkpoint) {
    return " --proof " + work.file(proof) + " --checkpoint " + work.file(checkpoint) + " ";
  };
  int rc = -1;
  auto out = verify(jwks + with("first-proof.json", "checkpoint.jws") + answer("first"), &rc);
  CHECK_MESSAGE(rc == 0, out);
  CHECK(out.find("VERIFIED with key") != std::string::npos);
  CHECK(out.find("LOGGED as audit entry " + std::to_string(first_index) + " at ") != std::string::npos);
  CHECK(out.find("(allowed), proven in the checkpoint of tree size " + std::to_string(size)) != std::string::npos);
  out = verify(jwks + with("third-proof.json", "checkpoint.jws") + work.file("third.jose"), &rc);
  CHECK_MESSAGE(rc == 0, out);

  // Another answer's proof: the same requester, purpose and subject, but not this answer's entry.
  out = verify(jwks + with("second-proof.json", "checkpoint.jws") + answer("first"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("NOT VERIFIED: the proof is of entry") != std::string::npos);
  // A later checkpoint with the earlier proof: names the proof to fetch.
  REQUIRE(https_request(hub.port(), market, "GET", lookup).status == 200);
  const HttpResult later = https_request(hub.port(), market, "GET", "/v1/audit/checkpoint");
  REQUIRE(later.status == 200);
  work.write("later.jws", later.body);
  out = verify(jwks + with("first-proof.json", "later.jws") + answer("first"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("fetch the proof at the checkpoint's size") != std::string::npos);
  // An answer passed as the checkpoint, and a checkpoint whose signature was altered.
  out = verify(jwks + with("first-proof.json", "third.jose") + answer("first"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("checkpoint: its typ is") != std::string::npos);
  // And the other way round: a checkpoint passed as the answer is not a signed answer.
  out = verify(jwks + work.file("checkpoint.jws"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("this is a signed audit checkpoint, not an answer") != std::string::npos);
  std::string forged = cp.body;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  work.write("forged.jws", forged);
  out = verify(jwks + with("first-proof.json", "forged.jws") + answer("first"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("NOT VERIFIED: checkpoint: ") != std::string::npos);
  // A proof whose leaf was edited to name this answer's request: its bytes no longer hash right.
  auto edited = boost::json::parse(proofs.at("second-proof.json")).as_object();
  std::string leaf(edited.at("leaf").as_string());
  const auto second_index = boost::json::parse(second.body).at("audit_index").as_int64();
  leaf.replace(leaf.find("\"seq\":" + std::to_string(second_index)), 7 + std::to_string(second_index).size(),
               "\"seq\":" + std::to_string(first_index));
  edited["leaf"] = leaf;
  edited["leaf_index"] = first_index;
  work.write("edited-proof.json", boost::json::serialize(edited));
  out = verify(jwks + with("edited-proof.json", "checkpoint.jws") + answer("first"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("do not hash to its leaf_hash") != std::string::npos);
  // Usage: one without the other, or a file that is not there.
  verify(jwks + "--proof " + work.file("first-proof.json") + " " + answer("first"), &rc);
  CHECK(rc == 2);
  verify(jwks + "--checkpoint " + work.file("checkpoint.jws") + " " + answer("first"), &rc);
  CHECK(rc == 2);
  verify(jwks + with("missing.json", "checkpoint.jws") + answer("first"), &rc);
  CHECK(rc == 2);
}

}  // namespace
}  // namespace yici::test
