// The real yici-hub over real TLS: identities, refusals, malformed input, limits, shutdown.
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include "tests/support/hub_process.h"
#include "tests/support/silent_endpoint.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_client.h"

namespace yici::test {
namespace {

std::string error_code_of(const HttpResult& r) {
  auto v = boost::json::parse(r.body);
  return std::string(v.at("error").at("code").as_string());
}

TEST_CASE("a department certificate gets its principal from whoami") {
  HubProcess hub;
  auto r = https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/whoami");
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("principal").as_string() == "market-regulation");
  CHECK(body.at("kind").as_string() == "department");
  CHECK(body.at("name").as_string() == "市场监督管理局");
  CHECK(body.at("certificate").at("fingerprint_sha256").as_string().size() == 64);
  CHECK(r.headers["content-type"] == "application/json");

  auto admin = https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/whoami");
  CHECK(boost::json::parse(admin.body).at("kind").as_string() == "admin");
}

TEST_CASE("no certificate: open endpoints answer, whoami is 401 JSON") {
  HubProcess hub;
  auto health = https_request(hub.port(), HubProcess::as(""), "GET", "/healthz");
  CHECK(health.status == 200);
  auto ready = https_request(hub.port(), HubProcess::as(""), "GET", "/readyz");
  CHECK(ready.status == 200);
  CHECK(boost::json::parse(ready.body).at("ready").as_bool());
  auto r = https_request(hub.port(), HubProcess::as(""), "GET", "/v1/whoami");
  CHECK(r.status == 401);
  CHECK(error_code_of(r) == "client_certificate_required");
}

TEST_CASE("JWKS is open and publishes the active and next signing keys, readiness counts the keys") {
  HubProcess hub;
  auto r = https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json");
  REQUIRE(r.status == 200);
  auto keys = boost::json::parse(r.body).at("keys").as_array();
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].at("alg").as_string() == "ES256");
  CHECK(keys[0].at("yici_state").as_string() == "active");
  CHECK(keys[1].at("yici_state").as_string() == "next");
  CHECK(boost::json::parse(https_request(hub.port(), HubProcess::as(""), "GET", "/readyz").body)
            .at("checks")
            .at("keys")
            .as_bool());
  CHECK(hub.log().find("signing_keys_loaded") != std::string::npos);
}

TEST_CASE("the hub's threads are named for what they do, the process keeps its name") {
  HubProcess hub;  // threads: 2, ingest.max_concurrent_pulls: 2 (the default)
  const std::string task_dir = "/proc/" + std::to_string(hub.pid()) + "/task";
  const auto thread_names = [&] {
    std::multiset<std::string> out;
    for (const auto& task : std::filesystem::directory_iterator(task_dir)) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      out.insert(name);
    }
    return out;
  };
  // A thread names itself once it runs: the scheduler's was still "yici-hub" when a fresh-clone
  // run read the names right after the hub was ready. Read again until only the main thread has
  // the process's name, for at most 5 s.
  std::multiset<std::string> names = thread_names();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (names.count("yici-hub") > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    names = thread_names();
  }
  std::ifstream process_comm("/proc/" + std::to_string(hub.pid()) + "/comm");
  std::string process_name;
  std::getline(process_comm, process_name);
  CHECK(process_name == "yici-hub");  // what ps, pgrep and systemd show
  CHECK(names.count("yici-hub") == 1);
  CHECK(names.count("io-1") == 1);
  CHECK(names.count("handler") == 8);
  CHECK(names.count("admin") == 4);
  CHECK(names.count("audit-commit") == 1);
  CHECK(names.count("wal-audit") == 1);
  CHECK(names.count("wal-records") == 1);
  CHECK(names.count("scheduler") == 1);
  CHECK(names.count("pull-1") == 1);
  CHECK(names.count("pull-2") == 1);
}

TEST_CASE("a valid certificate that maps to no principal is 403") {
  HubProcess hub;
  auto r = https_request(hub.port(), HubProcess::as("human-resources"), "GET", "/v1/whoami");
  CHECK(r.status == 403);
  CHECK(error_code_of(r) == "unknown_principal");
}

TEST_CASE("foreign-CA and expired certificates are refused in the handshake") {
  HubProcess hub;
  std::string why;
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("expired"), &why));
  CHECK(handshake_succeeds(hub.port(), HubProcess::as("market-regulation"), &why));
  // Each refusal says what was wrong and whose certificate it was: an expired department
  // certificate is not a stranger's.
  const std::string log = hub.log();
  CHECK(log.find(R"("certificate_problem":"certificate has expired","client_cn":"market-regulation")") !=
        std::string::npos);
  CHECK(log.find(R"("certificate_problem":"unable to get local issuer certificate")") != std::string::npos);
}

TEST_CASE("TLS sessions are not resumed: each connection shows a certificate checked then, not one from before") {
  // A resumed session carries the certificate verified when it began: a department certificate
  // that has expired since, or a CA taken out of client_ca, would still be let in (for 2 hours by
  // OpenSSL's defaults, and TLS 1.3 renews the ticket on each resumption).
  HubProcess hub;
  TempDir dir;
  const auto whoami = [&](const std::string& version, const std::string& options) {
    std::string out;
    run_command(
        "(printf 'GET /v1/whoami HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'; sleep 1) | "
        "timeout 10 openssl s_client " +
            version + " -connect 127.0.0.1:" + std::to_string(hub.port()) + " -CAfile " + pki("ca.crt") + " " +
            options + " 2>&1",
        &out);
    return out;
  };
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    CAPTURE(version);
    const std::string first = whoami(version, "-cert " + pki("market-regulation.crt") + " -key " +
                                                  pki("market-regulation.key") + " -sess_out " + dir.file("s.pem"));
    CHECK(first.find("HTTP/1.1 200") != std::string::npos);
    // OpenSSL saves no session it could not offer again: nothing to resume.
    if (!std::filesystem::exists(dir.file("s.pem"))) continue;
    // Offer the saved session, with no certificate: resumed, it would be the department again.
    const std::string second = whoami(version, "-sess_in " + dir.file("s.pem"));
    INFO(second);
    CHECK(second.find("Reused,") == std::string::npos);
    CHECK(second.find("HTTP/1.1 401") != std::string::npos);
  }
}

TEST_CASE("TLS 1.1 is refused, TLS 1.2 is accepted") {
  HubProcess hub;
  auto old = HubProcess::as("market-regulation");
  old.max_tls_version = TLS1_1_VERSION;
  CHECK_FALSE(handshake_succeeds(hub.port(), old));
  auto v12 = HubProcess::as("market-regulation");
  v12.max_tls_version = TLS1_2_VERSION;
  CHECK(handshake_succeeds(hub.port(), v12));
}

TEST_CASE("unknown paths are 404 JSON and wrong methods 405 with Allow") {
  HubProcess hub;
  auto nf = https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/nothing");
  CHECK(nf.status == 404);
  CHECK(error_code_of(nf) == "not_found");
  auto wrong = https_request(hub.port(), HubProcess::as("market-regulation"), "DELETE", "/v1/whoami");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers["allow"] == "GET, HEAD");
  CHECK(error_code_of(wrong) == "method_not_allowed");
}

TEST_CASE("a target that is not UTF-8 text once decoded is 400 bad_target, before any handler or audit entry") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  const std::string lookup = "/v1/records/population/330106199403187748";
  for (const std::string& target : {lookup + "?purpose=%ff", lookup + "?purpose=%C0%AF", lookup + "%1B%5B2K?purpose=x",
                                    std::string("/v1/records/population%ff/1?purpose=x"), std::string("/nosuch%ff"),
                                    lookup + "?pur%0Apose=x", std::string("/v1/audit/events?from=%00")}) {
    CAPTURE(target);
    auto r = https_request(hub.port(), as, "GET", target);
    CHECK(r.status == 400);
    CHECK(error_code_of(r) == "bad_target");
    CHECK(boost::json::parse(r.body).at("error").at("message").as_string().find("UTF-8") != std::string::npos);
  }
  // Text in any script passes on to the handlers: here a purpose the department has no grant for.
  auto cjk = https_request(hub.port(), as, "GET", lookup + "?purpose=%E5%B1%85%E6%B0%91");
  CHECK(cjk.status == 403);
  CHECK(hub.running());
}

TEST_CASE("an encoded slash in the path is 400 bad_target: a path means one route, whoever reads it") {
  HubProcess hub;
  auto admin = HubProcess::as("admin");
  REQUIRE(https_request(hub.port(), admin, "GET", "/v1/admin/sources").status == 200);
  for (const std::string& target : {std::string("/v1/admin%2Fsources"), std::string("/v1/admin%2fsources"),
                                    std::string("/v1/records/population/3301%2F06199403187748?purpose=x")}) {
    CAPTURE(target);
    auto r = https_request(hub.port(), admin, "GET", target);
    CHECK(r.status == 400);
    CHECK(error_code_of(r) == "bad_target");
    CHECK(boost::json::parse(r.body).at("error").at("message").as_string().find("%2F") != std::string::npos);
  }
  // In the query a slash is data, encoded or not.
  CHECK(https_request(hub.port(), admin, "GET", "/healthz?x=a%2Fb").status == 200);
}

TEST_CASE("request ids: a client's id is echoed, a bad one replaced, none generated") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  auto echoed = https_request(hub.port(), as, "GET", "/v1/whoami", "", {{"X-Request-Id", "clerk-42.a"}});
  CHECK(echoed.headers["x-request-id"] == "clerk-42.a");
  auto replaced = https_request(hub.port(), as, "GET", "/v1/whoami", "", {{"X-Request-Id", "bad id\"{}"}});
  CHECK(replaced.headers["x-request-id"].size() == 32);
  auto generated = https_request(hub.port(), as, "GET", "/healthz");
  CHECK(generated.headers["x-request-id"].size() == 32);
  // One structured line per request, carrying the same id.
  const std::string log = hub.log();
  CHECK(log.find(R"("event":"request","request_id":"clerk-42.a","principal":"market-regulation")") !=
        std::string::npos);
}

TEST_CASE("malformed HTTP gets 400 and the hub keeps serving others") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  const char* bad_requests[] = {
      "GET\r\n\r\n",
      "GET /v1/whoami HTTP/9.9\r\nHost: x\r\n\r\n",
      "G@T /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/whoami HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
      "POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  };
  for (const char* raw : bad_requests) {
    CAPTURE(raw);
    TlsConnection conn(hub.port(), as);
    conn.send_raw(raw);
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(error_code_of(*r) == "malformed_request");
    CHECK(conn.closed_by_peer(std::chrono::seconds(2)));
  }
  CHECK(https_request(hub.port(), as, "GET", "/v1/whoami").status == 200);
  CHECK(hub.running());
}

TEST_CASE("a transfer coding other than chunked is 501, a Host missing or doubled 400, and the connection closed") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  const std::string batch = R"({"purpose":"x","items":[]})";
  struct Case {
    std::string raw;
    int status;
    const char* code;
  };
  const Case cases[] = {
      // Beast read this as no body, then the body's bytes as a second request.
      {"POST /v1/lookups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + batch, 501,
       "unsupported_transfer_encoding"},
      // And this by Content-Length, answering the batch.
      {"POST /v1/lookups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: " +
           std::to_string(batch.size()) + "\r\n\r\n" + batch,
       501, "unsupported_transfer_encoding"},
      // And this as chunked, dropping the gzip coding.
      {"POST /v1/lookups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
       "unsupported_transfer_encoding"},
      {"POST /v1/lookups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400, "malformed_request"},  // Beast's own refusal
      {"GET /v1/whoami HTTP/1.1\r\n\r\n", 400, "bad_host"},
      {"GET /v1/whoami HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_host"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.raw);
    TlsConnection conn(hub.port(), as);
    conn.send_raw(c.raw);
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == c.status);
    CHECK(error_code_of(*r) == c.code);
    CHECK(r->headers.at("cache-control") == "no-store");
    CHECK(conn.closed_by_peer(std::chrono::seconds(2)));
  }
  // HTTP/1.0 needs no Host; chunked alone is read as before.
  {
    TlsConnection conn(hub.port(), as);
    conn.send_raw("GET /v1/whoami HTTP/1.0\r\n\r\n");
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
  }
  TlsConnection conn(hub.port(), as);
  conn.send_raw(
      "POST /v1/lookups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      (std::ostringstream() << std::hex << batch.size()).str() + "\r\n" + batch + "\r\n0\r\n\r\n");
  auto r = conn.read_response();
  REQUIRE(r.has_value());
  // The batch is read, and refused for what it says (no items), not for how it was sent.
  CHECK(r->status == 400);
  CHECK(r->body.find("items") != std::string::npos);
  CHECK(error_code_of(*r) != "malformed_request");
}

TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent, then the answer") {
  HubProcess hub;
  TlsConnection conn(hub.port(), HubProcess::as("market-regulation"));
  const std::string body =
      R"({"purpose":"food-business-license","items":[{"dataset":"population","subject":"11010519491231002X"}]})";
  conn.send_raw(
      "POST /v1/lookups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-Continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  auto interim = conn.read_response();  // the client holds the body back until this arrives
  REQUIRE(interim.has_value());
  CHECK(interim->status == 100);
  conn.send_raw(body);
  auto answer = conn.read_response();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 200);
  CHECK(boost::json::parse(answer->body).at("items").as_array().size() == 1);
  // Without Expect, no interim answer: the first response is the final one.
  TlsConnection plain(hub.port(), HubProcess::as("market-regulation"));
  plain.send_raw("POST /v1/lookups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body);
  auto direct = plain.read_response();
  REQUIRE(direct.has_value());
  CHECK(direct->status == 200);
}

TEST_CASE("limits: a 2 MiB body is 413, oversized headers 431, an oversized request line 414") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  {
    TlsConnection conn(hub.port(), as);
    conn.send_raw("POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n");
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
    CHECK(error_code_of(*r) == "body_too_large");
  }
  {
    TlsConnection conn(hub.port(), as);
    conn.send_raw("GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(std::size_t{64} * 1024, 'a') +
                  "\r\n\r\n");
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
    CHECK(error_code_of(*r) == "headers_too_large");
  }
  {
    // The request line alone over the header limit: the target is too long.
    TlsConnection conn(hub.port(), as);
    conn.send_raw("GET /v1/records/population/" + std::string(std::size_t{20} * 1024, '1') +
                  " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = conn.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 414);
    CHECK(error_code_of(*r) == "target_too_long");
  }
  CHECK(https_request(hub.port(), as, "GET", "/v1/whoami").status == 200);
}

TEST_CASE("a client that stalls mid-header is cut off and others are served meanwhile") {
  HubProcess hub({.extra_config = "limits: {read_timeout: 1s}\n"});
  auto as = HubProcess::as("market-regulation");
  TlsConnection stalled(hub.port(), as);
  stalled.send_raw("GET /v1/whoami HTTP/1.1\r\nHost: loc");
  for (int i = 0; i < 3; ++i) CHECK(https_request(hub.port(), as, "GET", "/v1/whoami").status == 200);
  CHECK_FALSE(stalled.closed_by_peer(std::chrono::milliseconds(100)));
  CHECK(stalled.closed_by_peer(std::chrono::seconds(3)));
}

TEST_CASE("connection limit: extra connections are closed, freed slots are reused") {
  HubProcess hub({.extra_config = "limits: {max_connections: 2}\n"});
  auto as = HubProcess::as("market-regulation");
  auto a = std::make_unique<TlsConnection>(hub.port(), as);
  auto b = std::make_unique<TlsConnection>(hub.port(), as);
  CHECK_FALSE(handshake_succeeds(hub.port(), as));
  a.reset();
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = handshake_succeeds(hub.port(), as);
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(served);
  CHECK(hub.log().find("max_connections reached") != std::string::npos);
}

TEST_CASE("per-address limit: one address cannot take every slot, others are still served, and both are counted") {
  HubProcess hub({.extra_config = "limits: {max_connections: 10, max_connections_per_address: 2}\n"});
  auto as = HubProcess::as("market-regulation");
  // curl from another loopback address: the limit is per address, not the hub's whole.
  const auto curl_from = [&](const std::string& source, const std::string& who, const std::string& target) {
    std::string out;
    run_command("curl -sS --max-time 10 --interface " + source + " --cacert " + pki("ca.crt") + " --cert " +
                    pki(who + ".crt") + " --key " + pki(who + ".key") +
                    " -o - -w '\n%{http_code}' https://127.0.0.1:" + std::to_string(hub.port()) + target + " 2>&1",
                &out);
    return out;
  };
  TlsConnection a(hub.port(), as);
  TlsConnection b(hub.port(), as);
  CHECK_FALSE(handshake_succeeds(hub.port(), as));
  CHECK(curl_from("127.0.0.2", "market-regulation", "/v1/whoami").ends_with("\n200"));
  const std::string metrics = curl_from("127.0.0.3", "admin", "/metrics");
  INFO(metrics);
  CHECK(metrics.find("yici_connections_refused_total{limit=\"max_connections_per_address\"} 1\n") != std::string::npos);
  CHECK(metrics.find("yici_connections_refused_total{limit=\"max_connections\"} 0\n") != std::string::npos);
  CHECK(metrics.find("yici_connections_open 3\n") != std::string::npos);  // a, b and the scrape itself
  CHECK(hub.log().find(R"("reason":"max_connections_per_address reached","address":"127.0.0.1")") != std::string::npos);
}

TEST_CASE("dual-stack listener: IPv4 clients are named and limited as IPv4, IPv6 ones apart and in brackets") {
  HubProcess hub({.extra_config = "limits: {max_connections_per_address: 1}\n", .listen_host = "::"});
  const std::string port = std::to_string(hub.port());
  const auto curl = [&](const std::string& source, const std::string& host) {
    std::string out;
    run_command("curl -sS --max-time 10 --interface " + source + " --cacert " + pki("ca.crt") +
                    " -o /dev/null -w '%{http_code}' https://" + host + ":" + port + "/healthz 2>&1",
                &out);
    return out;
  };
  // 127.0.0.1 holds its one slot; it arrives as ::ffff:127.0.0.1, which is not the same client as ::1.
  // (The start-up probe's connection may hold the slot for a moment after it closes.)
  std::unique_ptr<TlsConnection> held;
  for (int i = 0; i < 100 && !held; ++i) {
    try {
      held = std::make_unique<TlsConnection>(hub.port(), HubProcess::as("market-regulation"));
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  REQUIRE(held);
  CHECK(curl("::1", "[::1]") == "200");
  CHECK(curl("127.0.0.2", "127.0.0.1") == "200");
  CHECK(curl("127.0.0.1", "127.0.0.1") != "200");
  const std::string log = hub.log();
  INFO(log);
  CHECK(log.find(R"("listen":"[::]:)" + port + "\"") != std::string::npos);
  CHECK(log.find(R"("peer":"[::1]:)") != std::string::npos);
  CHECK(log.find(R"("peer":"127.0.0.2:)") != std::string::npos);
  CHECK(log.find(R"("reason":"max_connections_per_address reached","address":"127.0.0.1")") != std::string::npos);
  CHECK(log.find("ffff") == std::string::npos);
}

TEST_CASE("open files: the soft limit is raised to the hard one, and a hard limit below what is needed is named") {
  rlimit original{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &original) == 0);
  if (original.rlim_max == RLIM_INFINITY || original.rlim_max < 1024) return;  // nothing to show here
  // The hub inherits a soft limit of 512 (as under a shell's or systemd's default soft limit).
  rlimit low = original;
  low.rlim_cur = 512;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  const auto started = [&](const std::string& extra) {
    auto hub = std::make_unique<HubProcess>(HubOptions{.extra_config = extra});
    return hub;
  };
  auto raised = started("");
  auto short_of = started("limits: {max_connections: " + std::to_string(original.rlim_max) + "}\n");
  REQUIRE(setrlimit(RLIMIT_NOFILE, &original) == 0);
  const std::string hard = std::to_string(original.rlim_max);
  // The running hub's own soft limit, as the kernel shows it.
  const auto limit_of = [](const HubProcess& hub) {
    const std::string limits = read_file("/proc/" + std::to_string(hub.pid()) + "/limits");
    const auto at = limits.find("Max open files");
    REQUIRE(at != std::string::npos);
    return limits.substr(at, limits.find('\n', at) - at);
  };
  CHECK(raised->log().find(R"("event":"open_file_limit_raised","from":512,"to":)" + hard) != std::string::npos);
  CHECK(limit_of(*raised).find(" " + hard + " ") != std::string::npos);
  CHECK(limit_of(*raised).find(" 512 ") == std::string::npos);
  CHECK(raised->log().find("open_file_limit_low") == std::string::npos);
  // Asked for as many connections as the hard limit allows descriptors: named, with what to do.
  const std::string log = short_of->log();
  CHECK(log.find(R"("event":"open_file_limit_low")") != std::string::npos);
  CHECK(log.find("LimitNOFILE=") != std::string::npos);
  CHECK(https_request(short_of->port(), HubProcess::as("market-regulation"), "GET", "/v1/whoami").status == 200);
}

TEST_CASE("SIGTERM during a slow request: the request completes, then exit 0") {
  HubProcess hub;
  auto as = HubProcess::as("market-regulation");
  TlsConnection idle(hub.port(), as);  // an idle keep-alive connection must not hold shutdown up
  TlsConnection slow(hub.port(), as);
  slow.send_raw("POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  hub.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(hub.running());  // still finishing the slow request
  slow.send_raw("world");
  auto r = slow.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 405);  // answered (POST is not allowed on whoami) rather than dropped
  CHECK(r->headers["connection"] == "close");
  CHECK(hub.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK(idle.closed_by_peer(std::chrono::seconds(1)));
}

TEST_CASE("a second SIGTERM during the drain stops at once and exits 143, not 0") {
  HubProcess hub;
  TlsConnection slow(hub.port(), HubProcess::as("market-regulation"));
  slow.send_raw("POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  hub.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(hub.running());  // draining: the request is not finished
  hub.signal(SIGTERM);
  CHECK(hub.wait_exit(std::chrono::seconds(10)) == 128 + SIGTERM);
  const std::string log = hub.log();
  CHECK(log.find(R"("signal":"SIGTERM","action":"second stop signal: stopping now")") != std::string::npos);
  CHECK(log.find(R"("event":"hub_stopped","forced":true,"exit_code":143)") != std::string::npos);
  // hub_stopped is the last line: the closing checkpoint is logged before it.
  const auto stopped = log.find("hub_stopped");
  CHECK(log.find("audit_checkpoint", stopped) == std::string::npos);
}

// Two hubs on one data_dir both appended to audit.db from their own count of its entries: the
// one that committed second failed every entry after that and answered 503 to every lookup.
TEST_CASE("a second hub on a data directory in use does not start, and the first keeps serving") {
  HubProcess hub;
  const auto dept = HubProcess::as("market-regulation");
  const std::string lookup = "/v1/records/nosuch/1?purpose=x";  // refused, and audited
  REQUIRE(https_request(hub.port(), dept, "GET", lookup).status == 404);
  std::string out;
  // Bounded: a second hub that did start would run until stopped.
  const int rc =
      run_command("timeout 20 " + std::string(YICI_BINARY_DIR) + "/yici-hub --config " + hub.dir().file("hub.yaml") +
                      " --listen 127.0.0.1:" + std::to_string(free_port()) + " 2>&1",
                  &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("is in use by another yici-hub (pid " + std::to_string(hub.pid()) + ")") != std::string::npos);
  for (int i = 0; i < 5; ++i) CHECK(https_request(hub.port(), dept, "GET", lookup).status == 404);
  CHECK(https_request(hub.port(), HubProcess::as(""), "GET", "/readyz").status == 200);
  CHECK(hub.log().find("audit_commit_failed") == std::string::npos);
}

// The port was bound after the stores opened: a start refused for a port in use had already made
// a new data directory, with an audit log, its HMAC key and a log id no hub ever served.
TEST_CASE("a start refused for a port in use leaves no data directory behind") {
  HubProcess hub;
  TempDir elsewhere;
  const std::string data = elsewhere.file("data");
  std::string out;
  const int rc =
      run_command("timeout 20 " + std::string(YICI_BINARY_DIR) + "/yici-hub --config " + hub.dir().file("hub.yaml") +
                      " --listen 127.0.0.1:" + std::to_string(hub.port()) + " --data-dir " + data + " 2>&1",
                  &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("cannot listen on 127.0.0.1:" + std::to_string(hub.port())) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(data));
  CHECK(https_request(hub.port(), HubProcess::as(""), "GET", "/readyz").status == 200);
}

TEST_CASE("a data directory without its audit HMAC key, once the log has entries, does not start and says why") {
  HubProcess hub;
  // One audited access (a refusal is audited too), then a clean stop.
  CHECK(
      https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/records/nosuch/1?purpose=x").status ==
      404);
  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  const std::string key = hub.dir().file("data") + "/audit-hmac.key";
  REQUIRE(std::filesystem::remove(key));
  std::string out;
  const int rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + hub.dir().file("hub.yaml"), &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("audit-hmac.key is missing, but the audit log already holds") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(key));  // no new key made behind the operator's back
}

TEST_CASE(
    "a schema file that does not load, or a key others can read, stops the start before the data directory is made") {
  TempDir dir;
  // The shipped schemas, and one more with a typo in a key.
  const std::string schemas = dir.file("schemas");
  std::filesystem::create_directories(schemas);
  for (const auto& entry : std::filesystem::directory_iterator(std::string(YICI_SOURCE_DIR) + "/schemas")) {
    if (entry.path().extension() == ".yaml") {
      std::filesystem::copy_file(entry.path(), schemas + "/" + entry.path().filename().string());
    }
  }
  dir.write("schemas/extra.yaml", "dataset: extra\ntitle: x\nsubject: id\nfeilds:\n  id: {type: string}\n");
  HubProcess hub;
  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  dir.write("hub.yaml", read_file(hub.dir().file("hub.yaml")) + "schemas_dir: " + schemas + "\n");
  const std::string fresh_data = dir.file("data");
  std::string out;
  const int rc = run_command(
      std::string(YICI_BINARY_DIR) + "/yici-hub --config " + dir.file("hub.yaml") + " --data-dir " + fresh_data, &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("that do not load") != std::string::npos);
  CHECK(out.find("extra.yaml:4") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(fresh_data));

  // A TLS key that others can read: refused, and the data directory is not made either (it was:
  // a new audit log and HMAC key beside a hub that never started).
  std::filesystem::copy_file(pki("hub.key"), dir.file("open.key"));
  std::filesystem::permissions(dir.file("open.key"), std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  std::string config = read_file(hub.dir().file("hub.yaml"));
  const std::string tls_key = "key: " + pki("hub.key");
  REQUIRE(config.find(tls_key) != std::string::npos);
  config.replace(config.find(tls_key), tls_key.size(), "key: " + dir.file("open.key"));
  dir.write("open.yaml", config);
  const int open_rc = run_command(
      std::string(YICI_BINARY_DIR) + "/yici-hub --config " + dir.file("open.yaml") + " --data-dir " + fresh_data, &out);
  INFO(out);
  CHECK(open_rc == 1);
  CHECK(out.find("open.key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(fresh_data));
}

TEST_CASE("a data directory with another audit HMAC key than its log's does not start, and says why") {
  HubProcess hub;
  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "GET",
                      "/v1/records/population/11010519491231002X?purpose=food-business-license")
            .status != 0);
  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  const std::string key = hub.dir().file("data") + "/audit-hmac.key";
  std::string right;
  {
    std::ifstream in(key);
    std::getline(in, right);
  }
  // A key from another backup: refused, with what to do.
  {
    std::ofstream out(key, std::ios::trunc);
    out << std::string(64, 'a') << "\n";
  }
  std::string out;
  const int rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + hub.dir().file("hub.yaml") +
                                 " --listen 127.0.0.1:" + std::to_string(free_port()) + " 2>&1",
                             &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("is not the key this audit log was written with") != std::string::npos);
  // The right key back: it starts and serves.
  {
    std::ofstream back(key, std::ios::trunc);
    back << right << "\n";
  }
  HubProcess again({.data_dir = hub.dir().file("data")});
  CHECK(https_request(again.port(), HubProcess::as(""), "GET", "/healthz").status == 200);
}

TEST_CASE("bad configuration stops start-up with file and line") {
  TempDir dir;
  dir.write("hub.yaml", "listen: 127.0.0.1:0\ntls: {cert: a, key: b, client_ca: c}\nbogus: 1\n");
  std::string out;
  const int rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + dir.file("hub.yaml"), &out);
  CHECK(rc == 2);
  CHECK(out.find("hub.yaml:3: unknown key \"bogus\"") != std::string::npos);
  // A bad command line is 2 as well (not CLI11's own 106 or 109).
  for (const char* args : {" --bogus", " --config x.yaml extra"}) {
    CAPTURE(args);
    CHECK(run_command(std::string(YICI_BINARY_DIR) + "/yici-hub" + args, &out) == 2);
  }
  CHECK(run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --help", &out) == 0);
  CHECK(run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + dir.path().string(), &out) == 2);
  CHECK(out.find("is a directory, not a YAML file") != std::string::npos);
}

}  // namespace
}  // namespace yici::test

namespace yici::test {
namespace {

TEST_CASE("policy: a grant purpose that is no matter is logged as a likely typo, and the hub starts") {
  std::string policy = kTestPolicy;
  const auto at = policy.find("purposes: [food-business-license]");
  REQUIRE(at != std::string::npos);
  policy.replace(at, 34, "purposes: [food-business-licence]");
  HubProcess hub({.policy = policy});
  const std::string log = hub.log();
  CHECK(log.find(R"("event":"policy_purpose_unknown")") != std::string::npos);
  CHECK(log.find("food-business-licence") != std::string::npos);
  HubProcess clean;
  CHECK(clean.log().find("policy_purpose_unknown") == std::string::npos);
}

TEST_CASE("sources_dir: a directory that is not there is logged, and the hub starts without file sources") {
  HubProcess hub({.sources_dir = "/nonexistent/yici-sources"});
  const std::string log = hub.log();
  CHECK(log.find(R"("event":"sources_dir_missing")") != std::string::npos);
  CHECK(log.find("/nonexistent/yici-sources") != std::string::npos);
  CHECK(https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources").status == 200);
  // A file where the directory belongs: said once, not also as a source file skipped.
  TempDir dir;
  dir.write("not-a-dir.yaml", "id: x\n");
  HubProcess file_hub({.sources_dir = dir.file("not-a-dir.yaml")});
  CHECK(file_hub.log().find(R"("event":"sources_dir_missing")") != std::string::npos);
  CHECK(file_hub.log().find("source_skipped") == std::string::npos);
}

TEST_CASE("sources_dir: a bad source file is logged with its path and the hub still starts") {
  TempDir sources;
  sources.write("good.yaml",
                "id: hz-psb\ndepartment: public-security\ndataset: population\n"
                "adapter: {type: sqlite, path: /nonexistent.db, table: person}\n"
                "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n");
  sources.write("bad.yaml", "id: Bad Id\n");
  sources.write("nodept.yaml",
                "id: hz-tax\ndepartment: tax-bureau\ndataset: population\n"
                "adapter: {type: sqlite, path: /nonexistent.db, table: person}\n"
                "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n");
  // Well-formed, but the population schema requires a name this mapping never provides.
  sources.write("unmapped.yaml",
                "id: hz-psb-2\ndepartment: public-security\ndataset: population\n"
                "adapter: {type: sqlite, path: /nonexistent.db, table: person}\n"
                "primary_key: [sfzh]\nmapping: {id_number: sfzh}\n");
  HubProcess hub({.sources_dir = sources.path().string()});
  CHECK(https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/whoami").status == 200);
  const std::string log = hub.log();
  CHECK(log.find(R"("event":"source_skipped")") != std::string::npos);
  CHECK(log.find("bad.yaml") != std::string::npos);
  CHECK(log.find(R"("event":"source_loaded","source":"hz-psb")") != std::string::npos);
  CHECK(log.find("unmapped.yaml: mapping.name: required field name of schema population is not mapped") !=
        std::string::npos);
  CHECK(log.find("tax-bureau") != std::string::npos);
  CHECK(log.find("is not a department principal") != std::string::npos);
}

}  // namespace
}  // namespace yici::test

namespace yici::test {
namespace {

TEST_CASE("SIGHUP reloads the policy, a bad new policy is refused and the old one stays") {
  HubProcess hub;
  auto hr = HubProcess::as("human-resources");
  CHECK(https_request(hub.port(), hr, "GET", "/v1/whoami").status == 403);
  std::string policy = kTestPolicy;
  policy.replace(policy.find("grants:"), 7,
                 "  - {id: human-resources, kind: department, cert_cn: human-resources}\ngrants:");
  hub.dir().write("policy.yaml", policy);
  hub.signal(SIGHUP);
  CHECK(wait_for_status(hub.port(), hr, "/v1/whoami", 200));
  hub.dir().write("policy.yaml", "principals: [{id: x, kind: boss, cert_cn: x}]\n");
  hub.signal(SIGHUP);
  bool refused_logged = false;
  for (int i = 0; i < 100 && !refused_logged; ++i) {
    refused_logged = hub.log().find("policy_reload_refused") != std::string::npos;
    if (!refused_logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(refused_logged);
  CHECK(https_request(hub.port(), hr, "GET", "/v1/whoami").status == 200);  // the old policy stays
  CHECK(hub.running());
  // Both reloads are in the audit log, in order, by the signal rather than a certificate.
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  REQUIRE(events.status == 200);
  std::vector<std::string> by_signal;
  const boost::json::value page = boost::json::parse(events.body);
  for (const auto& e : page.at("items").as_array()) {
    if (e.at("requester") == boost::json::value("signal:SIGHUP"))
      by_signal.push_back(std::string(e.at("action").as_string()) + ":" + std::string(e.at("outcome").as_string()));
  }
  // Each reload is recorded as requested before anything is applied, then with its outcome.
  CHECK(by_signal ==
        std::vector<std::string>{"reload:requested", "reload:allowed", "reload:requested", "reload:refused"});
}

TEST_CASE("SIGTERM while a pull waits on a department that never answers: exit within the grace, log verifies") {
  // The source's timeout is 10 minutes: the hub's TLS handshake waits for an answer that never comes.
  SilentEndpoint silent;
  TempDir sources;
  sources.write("silent.yaml",
                "id: silent\ndepartment: public-security\ndataset: population\n"
                "adapter: {type: rest, url: 'https://127.0.0.1:" +
                    std::to_string(silent.port()) +
                    "/people', records: items, timeout: 600s, retries: 0}\n"
                    "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n");
  HubProcess hub({.extra_config = "limits: {shutdown_grace: 1s}\n", .sources_dir = sources.path().string()});
  // An audited access, so the log has something for its closing checkpoint to cover.
  CHECK(
      https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/records/nosuch/1?purpose=x").status ==
      404);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the first pull is under way, and stuck
  // Monitoring sees the stuck pull (yici_source_up stays 1: nothing has failed yet).
  const std::string metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics").body;
  const auto at = metrics.find("yici_pull_running_seconds{source=\"silent\"} ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(metrics.substr(at + std::string("yici_pull_running_seconds{source=\"silent\"} ").size())) >= 1.0);
  std::string shown;
  CHECK(run_ctl(hub.port(), "admin", "sources show silent", &shown) == 0);
  CHECK(shown.find("health      pending, pulling for ") != std::string::npos);
  const auto start = std::chrono::steady_clock::now();
  hub.signal(SIGTERM);
  CHECK(hub.wait_exit(std::chrono::seconds(15)) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  const std::string log = hub.log();
  CHECK(log.find("pulls_abandoned") != std::string::npos);
  CHECK(log.find("\"sources\":\"silent\"") != std::string::npos);
  std::string out;
  const int rc =
      run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl audit verify --data-dir " + hub.dir().file("data"), &out);
  INFO(out);
  CHECK(rc == 0);
}

TEST_CASE("admin probes of a silent department do not hold the threads a department's batch lookup waits for") {
  SilentEndpoint silent;
  HubProcess hub;
  const std::string body =
      "id: probe\ndepartment: public-security\ndataset: population\n"
      "adapter: {type: rest, url: 'https://127.0.0.1:" +
      std::to_string(silent.port()) +
      "/people', records: items, timeout: 2s, retries: 0}\n"
      "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n";
  // More previews than the hub has handler threads, all at once.
  constexpr int kProbes = 9;
  std::atomic<int> answered{0};
  std::vector<std::thread> admins;
  admins.reserve(kProbes);
  for (int i = 0; i < kProbes; ++i) {
    admins.emplace_back([&] {
      https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/sources?dry_run=true", body,
                    {{"Content-Type", "application/yaml"}});
      ++answered;
    });
  }
  // The probes are under way, each connected to the endpoint and waiting on it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (silent.accepted() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(silent.accepted() >= 4);
  const HttpResult batch =
      https_request(hub.port(), HubProcess::as("market-regulation"), "POST", "/v1/lookups",
                    R"({"purpose":"food-business-license","items":[{"dataset":"population","subject":"1"}]})",
                    {{"Content-Type", "application/json"}});
  // Answered while every probe still waits: it did not queue behind them.
  CHECK(answered == 0);
  INFO(batch.body);
  CHECK(batch.status == 200);
  for (auto& t : admins) t.join();
  CHECK(answered == kProbes);
}

}  // namespace
}  // namespace yici::test
