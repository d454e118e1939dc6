// The hub's signed responses verified by an independent JOSE implementation: panva/jose from npm,
// run under node (tests/jose/verify.mjs), in both forms, across a key rotation, and refusing a
// tampered body.
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

const std::string kJose = std::string(YICI_SOURCE_DIR) + "/tests/jose";

std::string node_verify(const std::string& args, int* rc) {
  std::string out;
  *rc = run_command("node " + kJose + "/verify.mjs " + args, &out);
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

TEST_CASE("jose (npm) verifies both response forms, before and after a key rotation, and refuses tampering") {
  // tools/dev installs the package (npm ci in tests/jose); without it this test cannot say anything.
  REQUIRE_MESSAGE(run_command("test -d " + kJose + "/node_modules/jose") == 0,
                  "run tools/dev test (or npm ci --prefix tests/jose) to install the jose package");
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  const HttpResult json = wait_for(hub.port(), market, target);
  REQUIRE(json.status == 200);
  const HttpResult jose = https_request(hub.port(), market, "GET", target, "", {{"Accept", "application/jose"}});
  REQUIRE(jose.status == 200);
  TempDir files;
  files.write("body.json", json.body);
  files.write("sig", json.headers.at("x-yici-signature"));
  files.write("r.jose", jose.body);
  files.write("jwks.json", https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);

  int rc = -1;
  std::string out =
      node_verify(files.file("jwks.json") + " detached " + files.file("body.json") + " " + files.file("sig"), &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED kid=") != std::string::npos);
  const std::string kid_before = out.substr(0, out.find(' ', out.find("kid=")));
  CHECK(out.find("typ=yici-response+json") != std::string::npos);
  out = node_verify(files.file("jwks.json") + " compact " + files.file("r.jose"), &rc);
  CHECK(rc == 0);

  std::string tampered = json.body;
  tampered.replace(tampered.find("\"F\""), 3, "\"M\"");
  files.write("tampered.json", tampered);
  out =
      node_verify(files.file("jwks.json") + " detached " + files.file("tampered.json") + " " + files.file("sig"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("NOT VERIFIED") != std::string::npos);

  // Rotate: next becomes active, the old key is retired but still published.
  std::string config = read_file(hub.dir().file("hub.yaml"));
  replace_all(config, "active.key, state: active}", "active.key, state: retired}");
  replace_all(config, "next.key, state: next}", "next.key, state: active}");
  hub.dir().write("hub.yaml", config);
  REQUIRE(https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload").status == 200);
  files.write("jwks2.json", https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);
  out = node_verify(files.file("jwks2.json") + " detached " + files.file("body.json") + " " + files.file("sig"), &rc);
  CHECK(rc == 0);  // signed before the rotation, still verifies
  const HttpResult after = https_request(hub.port(), market, "GET", target);
  REQUIRE(after.status == 200);
  files.write("body2.json", after.body);
  files.write("sig2", after.headers.at("x-yici-signature"));
  out = node_verify(files.file("jwks2.json") + " detached " + files.file("body2.json") + " " + files.file("sig2"), &rc);
  CHECK(rc == 0);
  CHECK(out.substr(0, out.find(' ', out.find("kid="))) != kid_before);  // signed by the new active key
}

}  // namespace
}  // namespace yici::test
