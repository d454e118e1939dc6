// yici-verify against responses signed by the hub's key ring, and against forgeries.
#include <doctest/doctest.h>

#include "hub/sign/base64url.h"
#include "hub/sign/key_ring.h"
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

  dir.write("garbage.jose", "not a jws");
  verify(jwks + dir.file("garbage.jose"), &rc);
  CHECK(rc == 1);
  verify(jwks + dir.file("missing.json"), &rc);
  CHECK(rc == 2);
  verify("", &rc);
  CHECK(rc == 2);
}

TEST_CASE("yici-verify: fetches the JWKS from a running hub over HTTPS") {
  HubProcess hub;
  TempDir dir;
  auto ring = sign::KeyRing::load({{pki("signing/active.key"), sign::KeyState::kActive}}).value();
  dir.write("response.jose", ring->sign(R"({"subject":"S"})", "yici-response+json", false).value());
  int rc = -1;
  auto out = verify("--jwks https://localhost:" + std::to_string(hub.port()) + "/.well-known/jwks.json --ca " +
                        pki("ca.crt") + " " + dir.file("response.jose"),
                    &rc);
  CHECK(rc == 0);
  CHECK(out.find("subject: S") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
