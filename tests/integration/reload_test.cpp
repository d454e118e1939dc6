// Reloading without a restart: key rotation through POST /v1/admin/reload and yici-ctl reload.
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

std::vector<std::string> kids(const std::string& jwks) {
  std::vector<std::string> out;
  const boost::json::value parsed = boost::json::parse(jwks);
  for (const auto& k : parsed.at("keys").as_array()) {
    out.emplace_back(k.at("kid").as_string());
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

TEST_CASE("reload: rotating signing keys makes next active, keeps the old key published, refuses a bad ring") {
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  const auto open = HubProcess::as("");
  const auto before = kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body);
  REQUIRE(before.size() == 2);

  // next → active, active → retired, as an operator would edit hub.yaml.
  std::string config = read_file(hub.dir().file("hub.yaml"));
  replace_all(config, "active.key, state: active}", "active.key, state: retired}");
  replace_all(config, "next.key, state: next}", "next.key, state: active}");
  hub.dir().write("hub.yaml", config);
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("rotated").as_bool());
  const std::string active = std::string(body.at("signing_keys").at("active_kid").as_string());
  const auto after = kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body);
  CHECK(after.size() == 2);  // the retired key stays published: earlier responses still verify
  CHECK(std::find(after.begin(), after.end(), active) != after.end());
  CHECK(std::find(before.begin(), before.end(), active) != before.end());

  // Two active keys: refused, the ring in force stays.
  replace_all(config, "state: retired}", "state: active}");
  hub.dir().write("hub.yaml", config);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("status") == "refused");
  CHECK(body.at("signing_keys").at("active_kid").as_string() == active);
  CHECK(hub.log().find("signing_keys_reload_refused") != std::string::npos);

  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "POST", "/v1/admin/reload").status == 403);

  std::string out;
  const int rc = run_ctl(hub.port(), "admin", "reload", &out);
  CHECK(rc == 1);  // the keys part is still refused
  CHECK(out.find("signing keys: refused") != std::string::npos);

  // Rotating back while the policy file is broken: the rotation takes effect, the policy part is
  // refused, and the audit log says both, not "refused" for a key change that is in force.
  // `config` has both keys active; the ring in force has next.key active. Back to active.key:
  replace_all(config, "next.key, state: active}", "next.key, state: next}");
  hub.dir().write("hub.yaml", config);
  const std::string policy = read_file(hub.dir().file("policy.yaml"));
  hub.dir().write("policy.yaml", policy + "\nnot: [valid\n");
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload", "", {{"X-Request-Id", "rotate-bad-policy"}});
  INFO(r.body);
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("rotated").as_bool());
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  std::vector<std::string> entries;
  const boost::json::value page = boost::json::parse(events.body);
  for (const auto& e : page.at("items").as_array()) {
    if (e.at("request_id") == boost::json::value("rotate-bad-policy")) {
      entries.push_back(std::string(e.at("action").as_string()) + ":" + std::string(e.at("outcome").as_string()));
    }
  }
  CHECK(entries == std::vector<std::string>{"key_rotation:allowed", "reload:refused"});
}

TEST_CASE("reload: the TLS client CA is reloaded for new connections, a bad one refused, other edits need a restart") {
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  std::string why;
  // `rogue` is market-regulation's name on a certificate from another CA: refused at first.
  REQUIRE_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));
  const std::string original = read_file(hub.dir().file("hub.yaml"));

  // The departments' CA rolls over: the bundle holds the old CA and the new one.
  hub.dir().write("ca-bundle.crt", read_file(pki("ca.crt")) + read_file(pki("rogue-ca.crt")));
  std::string config = original;
  replace_all(config, "client_ca: " + pki("ca.crt"), "client_ca: " + hub.dir().file("ca-bundle.crt"));
  hub.dir().write("hub.yaml", config);
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("tls").at("status") == "reloaded");
  CHECK(body.at("needs_restart").as_array().empty());
  CHECK(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));  // a new connection, the new CA
  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/whoami").status == 200);

  // A client CA that is not there: refused, and the bundle in force stays.
  replace_all(config, "client_ca: " + hub.dir().file("ca-bundle.crt"), "client_ca: " + hub.dir().file("gone.crt"));
  hub.dir().write("hub.yaml", config);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("tls").at("status") == "refused");
  CHECK(body.at("tls").at("error").as_string().find("gone.crt") != boost::json::string::npos);
  CHECK(hub.log().find("tls_reload_refused") != std::string::npos);
  CHECK(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));

  // Back to the original CA, with an edit only a restart applies: the reload says so.
  hub.dir().write("hub.yaml", original + "limits: {max_batch_items: 7}\n");
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) == 0);
  INFO(out);
  CHECK(out.find("tls:          reloaded") != std::string::npos);
  CHECK(out.find("not in force until a restart: limits") != std::string::npos);
  CHECK(hub.log().find("reload_needs_restart") != std::string::npos);
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));
}

}  // namespace
}  // namespace yici::test
