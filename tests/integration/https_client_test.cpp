// The project's own HTTPS client against the real hub.
#include "hub/net/https_client.h"

#include <thread>

#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

net::ClientOptions as(const std::string& who) {
  net::ClientOptions o;
  o.ca = pki("ca.crt");
  if (!who.empty()) {
    o.cert = pki(who + ".crt");
    o.key = pki(who + ".key");
  }
  return o;
}

TEST_CASE("https client: mTLS requests on one keep-alive connection") {
  HubProcess hub;
  auto client = net::HttpsClient::create("https://127.0.0.1:" + std::to_string(hub.port()), as("auditor"));
  REQUIRE(client.ok());
  for (int i = 0; i < 5; ++i) {
    auto r = (*client)->request("GET", "/v1/whoami");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body.find("\"principal\":\"auditor\"") != std::string::npos);
    CHECK(r->header("x-request-id") != nullptr);
  }
  auto nf = (*client)->request("GET", "/nope");
  REQUIRE(nf.ok());
  CHECK(nf->status == 404);
}

TEST_CASE("https client: unreachable hubs and refused certificates are kUnavailable with a reason") {
  auto nowhere = net::HttpsClient::create("https://127.0.0.1:" + std::to_string(free_port()), as("admin"));
  REQUIRE(nowhere.ok());
  auto r = (*nowhere)->request("GET", "/healthz");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.find("cannot connect") != std::string::npos);

  HubProcess hub;
  auto wrong_ca = net::ClientOptions{pki("rogue-ca.crt"), "", "", std::chrono::seconds(5)};
  auto c = net::HttpsClient::create("https://localhost:" + std::to_string(hub.port()), wrong_ca);
  REQUIRE(c.ok());
  auto refused = (*c)->request("GET", "/healthz");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("TLS handshake") != std::string::npos);

  CHECK_FALSE(net::HttpsClient::create("http://127.0.0.1:1", as("")).ok());
  CHECK_FALSE(net::HttpsClient::create("not a url", as("")).ok());
  auto missing = as("");
  missing.cert = "/nonexistent.crt";
  missing.key = "/nonexistent.key";
  CHECK_FALSE(net::HttpsClient::create("https://127.0.0.1:1", missing).ok());
}

TEST_CASE("https client: a path in the base URL is put before every target, a query is refused") {
  HubProcess hub;
  const std::string base = "https://127.0.0.1:" + std::to_string(hub.port());
  auto slash = net::HttpsClient::create(base + "/", as("auditor"));
  REQUIRE(slash.ok());
  CHECK((*slash)->request("GET", "/v1/whoami")->status == 200);
  // A hub behind a proxy at /gateway/yici: the path reaches the server (this hub has no such prefix).
  auto prefixed = net::HttpsClient::create(base + "/gateway/yici/", as("auditor"));
  REQUIRE(prefixed.ok());
  const auto r = (*prefixed)->request("GET", "/v1/whoami");
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  CHECK(r->body.find("no such endpoint: /gateway/yici/v1/whoami") != std::string::npos);
  auto query = net::HttpsClient::create(base + "/?x=1", as("auditor"));
  REQUIRE_FALSE(query.ok());
  CHECK(query.error().message.find("has a query or fragment") != std::string::npos);
}

TEST_CASE("https client: reconnects after the hub closes an idle connection") {
  HubProcess hub({.extra_config = "limits: {idle_timeout: 200ms}\n"});
  auto client = net::HttpsClient::create("https://127.0.0.1:" + std::to_string(hub.port()), as("admin"));
  REQUIRE(client.ok());
  REQUIRE((*client)->request("GET", "/v1/whoami")->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto again = (*client)->request("GET", "/v1/whoami");
  REQUIRE(again.ok());
  CHECK(again->status == 200);
}

}  // namespace
}  // namespace yici::test
