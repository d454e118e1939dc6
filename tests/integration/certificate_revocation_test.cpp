// tls.crl_file: revoking a department certificate cuts it off at the next connection and at the
// next request of a connection already open; a certificate that expires during a keep-alive
// connection is refused the same way. Real hub, real TLS, CRLs made with openssl.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_client.h"

namespace yici::test {
namespace {

// certs/make-dev-crl: the development CA's CRL revoking `revoke` (a file of the test PKI), or none.
std::string make_crl(const TempDir& dir, const std::string& name, const std::string& revoke = "",
                     const std::string& option = "") {
  std::string out = dir.file(name);
  const std::string cmd = std::string(YICI_SOURCE_DIR) + "/certs/make-dev-crl " + option + " '" + pki_dir() + "' '" +
                          out + "'" + (revoke.empty() ? "" : " '" + pki(revoke) + "'") + " >/dev/null";
  REQUIRE(run_command(cmd) == 0);
  return out;
}

const char* const kWhoami = "GET /v1/whoami HTTP/1.1\r\nHost: hub\r\n\r\n";

// The hub writes a handshake's log line after the client has seen the refusal: waits for it.
bool log_shows(const HubProcess& hub, const std::string& text) {
  for (int i = 0; i < 50; ++i) {
    if (hub.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Sends `raw` on the open connection and reads its answer, which must come.
HttpResult exchange(TlsConnection& connection, const std::string& raw) {
  connection.send_raw(raw);
  auto answer = connection.read_response();
  REQUIRE(answer.has_value());
  return *answer;
}

std::string error_code(const HttpResult& r) {
  const boost::json::value body = boost::json::parse(r.body);
  return std::string(body.at("error").at("code").as_string());
}

// A keep-alive connection with `options` is served, then after `wait` (its certificate or CRL has
// run out meanwhile) its next request is refused with `problem` and it is closed, and a new
// connection with the same certificate is refused in the handshake.
void served_then_refused(const HubProcess& hub, const TlsOptions& options, std::chrono::seconds wait,
                         const std::string& problem) {
  TlsConnection open(hub.port(), options);
  auto r = exchange(open, kWhoami);
  REQUIRE(r.status == 200);
  std::this_thread::sleep_for(wait);
  r = exchange(open, kWhoami);
  CHECK(r.status == 403);
  CHECK(error_code(r) == "certificate_refused");
  CHECK(r.body.find(problem) != std::string::npos);
  CHECK(open.closed_by_peer(std::chrono::seconds(5)));
  std::string why;
  CHECK_FALSE(handshake_succeeds(hub.port(), options, &why));
}

TEST_CASE(
    "revocation: a CRL loaded by reload refuses the certificate at new connections and at an open one's next request") {
  TempDir crls;
  const std::string in_force = crls.file("clients.crl");
  crls.write("clients.crl", read_file(make_crl(crls, "none.crl")));
  HubProcess hub({.crl_file = in_force});
  const auto market = HubProcess::as("market-regulation");

  // With a CRL that revokes nothing, departments are let in; the CRL's nextUpdate is a metric.
  TlsConnection open(hub.port(), market);
  auto r = exchange(open, kWhoami);
  CHECK(r.status == 200);
  const auto metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics");
  CHECK(metrics.body.find("yici_tls_crl_next_update_timestamp_seconds ") != std::string::npos);

  // market-regulation's key leaks: the CA revokes its certificate and the hub reloads the CRL.
  crls.write("clients.crl", read_file(make_crl(crls, "revoked.crl", "market-regulation.crt")));
  const auto reload = https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload");
  INFO(reload.body);
  REQUIRE(reload.status == 200);
  const boost::json::value reloaded = boost::json::parse(reload.body);
  CHECK(reloaded.at("tls").at("crl").at("revoked") == 1);
  CHECK(reloaded.at("tls").at("crl").at("crls") == 1);

  std::string why;
  CHECK_FALSE(handshake_succeeds(hub.port(), market, &why));
  CHECK(log_shows(hub, R"("certificate_problem":"certificate revoked","client_cn":"market-regulation")"));
  // The connection opened before the reload: its next request is refused, audited (a request for
  // a subject's records), and the connection closed.
  r = exchange(open, "GET /v1/records/population/110101199003074514?purpose=test HTTP/1.1\r\nHost: hub\r\n\r\n");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "certificate_refused");
  CHECK(r.body.find("certificate revoked") != std::string::npos);
  CHECK(open.closed_by_peer(std::chrono::seconds(5)));
  CHECK(log_shows(hub, R"("event":"client_certificate_refused")"));
  // Found under the department whose certificate it was.
  const auto audited = https_request(hub.port(), HubProcess::as("auditor"), "GET",
                                     "/v1/audit/events?requester=market-regulation&outcome=certificate_refused");
  REQUIRE(audited.status == 200);
  CHECK(boost::json::parse(audited.body).at("items").as_array().size() == 1);

  // Other departments of the same CA, on new and reloaded connections alike, are not affected.
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/whoami").status == 200);

  // A CRL file that went stale is refused by the reload: the CRL in force stays.
  crls.write("clients.crl", read_file(make_crl(crls, "stale.crl", "", "--expired")));
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) != 0);
  INFO(out);
  CHECK(out.find("expired at") != std::string::npos);
  // The CRLs in force are named: still the one that revokes market-regulation.
  CHECK(out.find("CRLs in force: 1, revoking 1, next update due") != std::string::npos);
  CHECK_FALSE(handshake_succeeds(hub.port(), market, &why));
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/whoami").status == 200);
}

TEST_CASE("revocation: a hub whose CRL file is stale or missing, or whose client_ca holds CRLs, does not start") {
  TempDir crls;
  crls.write("ca-and-crl.crt", read_file(pki("ca.crt")) + read_file(make_crl(crls, "good.crl")));
  struct Case {
    std::string client_ca;
    std::string crl;
    std::string expected;
  };
  for (const auto& c : {Case{pki("ca.crt"), make_crl(crls, "stale.crl", "", "--expired"), "expired at"},
                        Case{pki("ca.crt"), crls.file("missing.crl"), "missing.crl: cannot open"},
                        // OpenSSL would take CRLs from the CA file too, unchecked, beside crl_file's.
                        Case{crls.file("ca-and-crl.crt"), crls.file("good.crl"), "put CRLs in tls.crl_file alone"}}) {
    CAPTURE(c.expected);
    TempDir dir;
    dir.write("hub.yaml", "listen: 127.0.0.1:0\ndata_dir: " + dir.file("data") + "\npolicy: " + dir.file("p.yaml") +
                              "\ntls:\n  cert: " + pki("hub.crt") + "\n  key: " + pki("hub.key") +
                              "\n  client_ca: " + c.client_ca + "\n  crl_file: " + c.crl + "\n");
    dir.write("p.yaml", kTestPolicy);
    std::string out;
    CHECK(run_command(std::string(YICI_BINARY_DIR) + "/yici-hub --config " + dir.file("hub.yaml") + " 2>&1", &out) !=
          0);
    INFO(out);
    CHECK(out.find(c.expected) != std::string::npos);
    // Refused before the data directory was made: a bad TLS file leaves nothing behind.
    CHECK_FALSE(std::filesystem::exists(dir.file("data")));
  }
}

TEST_CASE("revocation: a CRL that expires while the hub runs refuses its CA's certificates, open connections too") {
  TempDir crls;
  const std::time_t soon = std::time(nullptr) + 4;
  char at[32];
  std::strftime(at, sizeof at, "%Y%m%d%H%M%SZ", std::gmtime(&soon));
  HubProcess hub({.crl_file = make_crl(crls, "short.crl", "", std::string("--next-update ") + at)});
  served_then_refused(hub, HubProcess::as("public-security"), std::chrono::seconds(5), "CRL has expired");
  CHECK(log_shows(hub, R"("certificate_problem":"CRL has expired")"));
}

// A client certificate for `cn` from the development CA, valid from a minute ago for `seconds`.
void issue_short_lived(const TempDir& dir, const std::string& cn, long seconds) {
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  const auto read_pem = [](const std::string& path, auto reader) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(path.c_str(), "r"), BIO_free);
    REQUIRE(in);
    return reader(in.get(), nullptr, nullptr, nullptr);
  };
  Key ca_key(read_pem(pki("ca.key"), PEM_read_bio_PrivateKey), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> ca(read_pem(pki("ca.crt"), PEM_read_bio_X509), X509_free);
  REQUIRE(ca_key);
  REQUIRE(ca);
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  REQUIRE(X509_set_version(cert.get(), 2) == 1);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), seconds);
  X509_NAME* name = X509_get_subject_name(cert.get());
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                     -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) == 1);
  REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
  REQUIRE(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_out(BIO_new_file(dir.file("short.crt").c_str(), "w"), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_out(BIO_new_file(dir.file("short.key").c_str(), "w"), BIO_free);
  REQUIRE(PEM_write_bio_X509(cert_out.get(), cert.get()) == 1);
  REQUIRE(PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

TEST_CASE(
    "revocation: a client sending an intermediate CA that client_ca lacks is refused, and the log says what to do") {
  TempDir dir;
  const std::string root = dir.file("root");
  const std::string inter = dir.file("inter");
  make_ca(root, "Province root");
  make_ca(inter, "Department intermediate", root);
  make_client(dir.file("leaf"), "market-regulation", inter);
  dir.write("chain.crt", read_file(dir.file("leaf.crt")) + read_file(inter + "/ca.crt"));
  TlsOptions options = HubProcess::as("");
  options.client = {dir.file("chain.crt"), dir.file("leaf.key")};
  const std::string root_ca = root + "/ca.crt";
  {
    // Without CRLs the intermediate the client sends completes the chain to client_ca's root.
    HubProcess hub({.client_ca = root_ca});
    REQUIRE(https_request(hub.port(), options, "GET", "/v1/whoami").status == 200);
  }
  // With the root's CRL, the intermediate has none in force: refused, as a chain not known to be
  // unrevoked, and the log names the fix.
  REQUIRE(run_command(std::string(YICI_SOURCE_DIR) + "/certs/make-dev-crl '" + root + "' '" + dir.file("root.crl") +
                      "' >/dev/null") == 0);
  HubProcess hub({.crl_file = dir.file("root.crl"), .client_ca = root_ca});
  CHECK_FALSE(handshake_succeeds(hub.port(), options));
  CHECK(log_shows(hub, "unable to get certificate CRL"));
  CHECK(log_shows(hub, "add that intermediate to client_ca and its CRL to crl_file"));
}

TEST_CASE(
    "revocation: a CRL naming a distribution point covers the certificates naming it, and the log explains a refusal") {
  TempDir dir;
  const std::string ca = dir.file("ca");
  make_ca(ca, "Departments CA");
  make_client(dir.file("named"), "market-regulation", ca, "crlDistributionPoints = URI:http://ca.example/c.crl");
  make_client(dir.file("unnamed"), "market-regulation", ca);
  REQUIRE(run_command(std::string(YICI_SOURCE_DIR) +
                      "/certs/make-dev-crl --ext 'issuingDistributionPoint = critical, "
                      "@idp' --ext '[idp]' --ext 'fullname = URI:http://ca.example/c.crl' '" +
                      ca + "' '" + dir.file("ca.crl") + "' >/dev/null") == 0);
  // Beside the development CA, for the admin's certificate.
  dir.write("client-ca.crt", read_file(ca + "/ca.crt") + read_file(pki("ca.crt")));
  dir.write("crls.crl", read_file(dir.file("ca.crl")) + read_file(make_crl(dir, "dev.crl")));
  HubProcess hub({.crl_file = dir.file("crls.crl"), .client_ca = dir.file("client-ca.crt")});
  CHECK(log_shows(hub, R"("scoped":["CN=Departments CA,O=Yici test: URI:http://ca.example/c.crl"])"));
  TlsOptions named = HubProcess::as("");
  named.client = {dir.file("named.crt"), dir.file("named.key")};
  CHECK(https_request(hub.port(), named, "GET", "/v1/whoami").status == 200);
  TlsOptions unnamed = HubProcess::as("");
  unnamed.client = {dir.file("unnamed.crt"), dir.file("unnamed.key")};
  CHECK_FALSE(handshake_succeeds(hub.port(), unnamed));
  CHECK(log_shows(hub, R"("certificate_problem":"different CRL scope")"));
  CHECK(log_shows(hub, "have the CA issue certificates that name the point its CRLs name"));
  const auto reload = https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload");
  REQUIRE(reload.status == 200);
  CHECK(boost::json::parse(reload.body).at("tls").at("crl").at("scoped").as_array().size() == 1);
}

TEST_CASE("a certificate that expires during a keep-alive connection is refused at the next request") {
  HubProcess hub;  // no CRL: expiry is checked whatever tls.crl_file says
  TempDir dir;
  issue_short_lived(dir, "public-security", 3);
  TlsOptions options = HubProcess::as("");
  options.client = {dir.file("short.crt"), dir.file("short.key")};
  served_then_refused(hub, options, std::chrono::seconds(4), "certificate has expired");
}

}  // namespace
}  // namespace yici::test
