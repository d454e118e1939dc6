#include "hub/net/crl.h"

#include <ctime>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_pki.h"

namespace yici::net {
namespace {

using test::make_ca;
using test::make_client;
using test::pki;
using StorePtr = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

constexpr std::int64_t kDay = 86400;

StorePtr store_with(const std::string& client_ca) {
  StorePtr store(X509_STORE_new(), X509_STORE_free);
  REQUIRE(X509_STORE_load_file(store.get(), client_ca.c_str()) == 1);
  return store;
}

// certs/make-dev-crl from the CA in `ca_dir` (ca.crt, ca.key), revoking the certificate files
// in `revoke`, with the script's options.
std::string make_crl(const test::TempDir& dir, const std::string& name, const std::string& revoke = "",
                     const std::string& options = "", const std::string& ca_dir = test::pki_dir()) {
  std::string out = dir.file(name);
  const std::string cmd = std::string(YICI_SOURCE_DIR) + "/certs/make-dev-crl " + options + " '" + ca_dir + "' '" +
                          out + "' " + revoke + " >/dev/null";
  REQUIRE(test::run_command(cmd) == 0);
  return out;
}

CertPtr read_cert(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(path.c_str(), "r"), BIO_free);
  REQUIRE(in);
  CertPtr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), X509_free);
  REQUIRE(cert);
  return cert;
}

// What verifying `cert_file` against the store says, as a client certificate.
int verify(X509_STORE* store, const std::string& cert_file) {
  const CertPtr cert = read_cert(cert_file);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store, cert.get(), nullptr) == 1);
  X509_STORE_CTX_set_default(ctx.get(), "ssl_client");
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

// add_crls must refuse; the store is left as it was (no revocation checking turned on).
std::string refused(const std::string& crl_file, const std::string& client_ca = pki("ca.crt"),
                    std::time_t at = std::time(nullptr)) {
  auto store = store_with(client_ca);
  auto loaded = add_crls(store.get(), crl_file, client_ca, at);
  REQUIRE_FALSE(loaded.ok());
  CHECK(X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(store.get())) == 0);
  return loaded.error().message;
}

TEST_CASE("CRL: a revoked certificate is refused, others of the same CA verify, and the earliest nextUpdate is kept") {
  test::TempDir dir;
  const std::string crl = make_crl(dir, "revoked.crl", pki("market-regulation.crt"));
  auto store = store_with(pki("ca.crt"));
  // Without the CRL, the certificate verifies: the refusal below is the CRL's doing.
  CHECK(verify(store.get(), pki("market-regulation.crt")) == X509_V_OK);
  const std::time_t now = std::time(nullptr);
  auto loaded = add_crls(store.get(), crl, pki("ca.crt"), now);
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(loaded->count == 1);
  CHECK(loaded->revoked == 1);
  REQUIRE(loaded->next_update_unix.has_value());
  CHECK(*loaded->next_update_unix > now + 29 * kDay);
  CHECK(*loaded->next_update_unix <= now + 31 * kDay);
  CHECK(verify(store.get(), pki("market-regulation.crt")) == X509_V_ERR_CERT_REVOKED);
  CHECK(verify(store.get(), pki("public-security.crt")) == X509_V_OK);
  CHECK(loaded->scoped.empty());

  // The CA twice in client_ca is one CA: its one CRL serves.
  test::TempDir twice;
  twice.write("ca2.crt", test::read_file(pki("ca.crt")) + test::read_file(pki("ca.crt")));
  auto store2 = store_with(twice.file("ca2.crt"));
  auto again = add_crls(store2.get(), crl, twice.file("ca2.crt"), now);
  REQUIRE_MESSAGE(again.ok(), again.error().message);
  CHECK(verify(store2.get(), pki("market-regulation.crt")) == X509_V_ERR_CERT_REVOKED);
}

TEST_CASE("CRL: a CA revoked by its root revokes what it issued, and client_ca must hold every CA with its CRL") {
  test::TempDir dir;
  const std::string root = dir.file("root");
  const std::string inter = dir.file("inter");
  make_ca(root, "Test root");
  make_ca(inter, "Test intermediate", root);
  make_client(dir.file("leaf"), "market-regulation", inter);
  dir.write("bundle.crt", test::read_file(root + "/ca.crt") + test::read_file(inter + "/ca.crt"));
  const std::string inter_crl = test::read_file(make_crl(dir, "inter.crl", "", "", inter));
  dir.write("good.crl", test::read_file(make_crl(dir, "root.crl", "", "", root)) + inter_crl);
  dir.write("revoked.crl", test::read_file(make_crl(dir, "root-revoked.crl", inter + "/ca.crt", "", root)) + inter_crl);
  const auto check = [&](const std::string& crls) {
    auto store = store_with(dir.file("bundle.crt"));
    auto loaded = add_crls(store.get(), dir.file(crls), dir.file("bundle.crt"), std::time(nullptr));
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return verify(store.get(), dir.file("leaf.crt"));
  };
  CHECK(check("good.crl") == X509_V_OK);
  CHECK(check("revoked.crl") == X509_V_ERR_CERT_REVOKED);
  // The intermediate's CRL with only the root in client_ca: named as a CA to add there.
  CHECK(refused(dir.file("good.crl"), root + "/ca.crt").find("no CA of that name is in tls.client_ca") !=
        std::string::npos);
  // A CA of client_ca without its CRL: every certificate under it would be refused.
  const std::string missing = refused(dir.file("root.crl"), dir.file("bundle.crt"));
  CHECK(missing.find("holds no CRL of") != std::string::npos);
  CHECK(missing.find("Test intermediate") != std::string::npos);
}

TEST_CASE("CRL: stale, not yet valid, foreign, forged, unreadable and missing files are refused with the reason") {
  test::TempDir dir;
  const std::string crl = make_crl(dir, "good.crl");
  const std::time_t now = std::time(nullptr);
  CHECK(refused(crl, pki("ca.crt"), now + 31 * kDay).find("expired at") != std::string::npos);
  CHECK(refused(crl, pki("ca.crt"), now - kDay).find("is not valid before") != std::string::npos);
  // Issued by the development CA, but client_ca trusts only another CA.
  CHECK(refused(crl, pki("rogue-ca.crt")).find("no CA of that name is in tls.client_ca") != std::string::npos);
  // Forged: a CA of the same name with another key signs a CRL (the name alone proves nothing).
  test::TempDir fake;
  make_ca(fake.path().string(), "Yici development CA");
  // make_ca names its CAs O=Yici test: give the fake the development CA's exact name.
  REQUIRE(test::run_command("openssl req -new -x509 -key " + fake.file("ca.key") +
                            " -subj '/O=Yici development/CN=Yici development CA' -days 30 -out " + fake.file("ca.crt") +
                            " >/dev/null 2>&1") == 0);
  const std::string forged = make_crl(dir, "forged.crl", "", "", fake.path().string());
  CHECK(refused(forged).find("is not signed by the CA of that name") != std::string::npos);

  dir.write("garbage.crl", "not a CRL\n");
  CHECK(refused(dir.file("garbage.crl")).find("holds no PEM CRL") != std::string::npos);
  const std::string good = test::read_file(crl);
  dir.write("cut.crl", good + good.substr(0, good.size() / 2));
  CHECK(refused(dir.file("cut.crl")).find("CRL 2 in the file cannot be read") != std::string::npos);
  CHECK(refused(dir.file("gone.crl")).find("gone.crl: cannot open") != std::string::npos);
  // Other PEM blocks, which OpenSSL's reader skips: a key beside the CRLs is a leaked key.
  dir.write("with-key.crl", good + test::read_file(pki("market-regulation.key")));
  CHECK(refused(dir.file("with-key.crl")).find("holds a PRIVATE KEY block") != std::string::npos);
  dir.write("with-cert.crl", test::read_file(pki("ca.crt")) + good);
  CHECK(refused(dir.file("with-cert.crl")).find("holds a CERTIFICATE block") != std::string::npos);
}

TEST_CASE("CRL: files OpenSSL would read otherwise than meant are refused") {
  test::TempDir dir;
  const std::string empty = test::read_file(make_crl(dir, "empty.crl"));
  const std::string revoking = test::read_file(make_crl(dir, "revoking.crl", pki("market-regulation.crt")));
  // Two CRLs of one CA: once the newer expires, OpenSSL falls back to the older, which may not
  // list what was revoked since.
  dir.write("two.crl", empty + revoking);
  CHECK(refused(dir.file("two.crl")).find("more than one CRL of") != std::string::npos);
  // A delta CRL lists only changes; OpenSSL alone would take it for the complete list.
  CHECK(refused(make_crl(dir, "delta.crl", "", "--ext '2.5.29.27 = critical, DER:02:01:05'")).find("is a delta CRL") !=
        std::string::npos);
  // A CRL for part of the CA's certificates (here its CA certificates only) leaves the others
  // unchecked, or refused.
  CHECK(refused(make_crl(dir, "partial.crl", "",
                         "--ext 'issuingDistributionPoint = critical, @idp' --ext '[idp]' --ext 'onlyCA = TRUE'"))
            .find("covers only part") != std::string::npos);
  // A critical extension OpenSSL does not know makes it refuse every certificate of the CA.
  CHECK(refused(make_crl(dir, "critical.crl", "", "--ext '1.2.3.4 = critical, DER:05:00'"))
            .find("has a critical extension the hub cannot check (1.2.3.4)") != std::string::npos);
}

TEST_CASE("CRL: one naming an issuing distribution point covers the certificates naming that point, not the others") {
  // As many CAs publish: the CRL names where it is published, and so do the certificates.
  test::TempDir dir;
  const std::string ca = dir.file("ca");
  make_ca(ca, "Departments CA");
  const std::string point = "crlDistributionPoints = URI:http://ca.example/c.crl";
  make_client(dir.file("named"), "market-regulation", ca, point);
  make_client(dir.file("named-revoked"), "public-security", ca, point);
  make_client(dir.file("unnamed"), "public-security", ca);
  make_client(dir.file("other"), "public-security", ca, "crlDistributionPoints = URI:http://ca.example/other.crl");
  const std::string crl = make_crl(dir, "named.crl", dir.file("named-revoked.crt"),
                                   "--ext 'issuingDistributionPoint = critical, @idp' --ext '[idp]' --ext 'fullname = "
                                   "URI:http://ca.example/c.crl'",
                                   ca);
  auto store = store_with(ca + "/ca.crt");
  CHECK(verify(store.get(), dir.file("unnamed.crt")) == X509_V_OK);  // before the CRL
  auto loaded = add_crls(store.get(), crl, ca + "/ca.crt", std::time(nullptr));
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(loaded->revoked == 1);
  REQUIRE(loaded->scoped.size() == 1);
  CHECK(loaded->scoped.front() == "CN=Departments CA,O=Yici test: URI:http://ca.example/c.crl");
  CHECK(verify(store.get(), dir.file("named.crt")) == X509_V_OK);
  CHECK(verify(store.get(), dir.file("named-revoked.crt")) == X509_V_ERR_CERT_REVOKED);
  // A certificate naming no point, or another one, is covered by no CRL: refused, not let in.
  CHECK(verify(store.get(), dir.file("unnamed.crt")) == X509_V_ERR_DIFFERENT_CRL_SCOPE);
  CHECK(verify(store.get(), dir.file("other.crt")) == X509_V_ERR_DIFFERENT_CRL_SCOPE);

  // The root itself names no point and is let through as the trust anchor (RFC 5280 checks none
  // for revocation); an intermediate CA under it that names none is not.
  const std::string inter = dir.file("inter");
  make_ca(inter, "Department intermediate", ca);
  make_client(dir.file("leaf"), "market-regulation", inter);
  const std::string bundle = dir.file("bundle.crt");
  dir.write("bundle.crt", test::read_file(ca + "/ca.crt") + test::read_file(inter + "/ca.crt"));
  dir.write("both.crl", test::read_file(crl) + test::read_file(make_crl(dir, "inter.crl", "", "", inter)));
  auto chained = store_with(bundle);
  REQUIRE(add_crls(chained.get(), dir.file("both.crl"), bundle, std::time(nullptr)).ok());
  CHECK(verify(chained.get(), dir.file("leaf.crt")) == X509_V_ERR_DIFFERENT_CRL_SCOPE);
  CHECK(verify(chained.get(), dir.file("named.crt")) == X509_V_OK);
}

TEST_CASE("CRL: two CAs of one name (a rollover) need CRLs that name their key") {
  test::TempDir dir;
  const std::string old_ca = dir.file("old");
  const std::string new_ca = dir.file("new");
  make_ca(old_ca, "Departments CA");
  make_ca(new_ca, "Departments CA");
  make_client(dir.file("old-client"), "market-regulation", old_ca);
  make_client(dir.file("new-client"), "market-regulation", new_ca);
  dir.write("bundle.crt", test::read_file(old_ca + "/ca.crt") + test::read_file(new_ca + "/ca.crt"));
  dir.write("bare.crl", test::read_file(make_crl(dir, "o1.crl", "", "--no-key-id", old_ca)) +
                            test::read_file(make_crl(dir, "n1.crl", "", "--no-key-id", new_ca)));
  CHECK(refused(dir.file("bare.crl"), dir.file("bundle.crt")).find("names no authority key identifier") !=
        std::string::npos);
  // With key identifiers each CA's certificates are checked against its own CRL.
  dir.write("keyed.crl", test::read_file(make_crl(dir, "o2.crl", dir.file("old-client.crt"), "", old_ca)) +
                             test::read_file(make_crl(dir, "n2.crl", "", "", new_ca)));
  auto store = store_with(dir.file("bundle.crt"));
  auto loaded = add_crls(store.get(), dir.file("keyed.crl"), dir.file("bundle.crt"), std::time(nullptr));
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(verify(store.get(), dir.file("old-client.crt")) == X509_V_ERR_CERT_REVOKED);
  CHECK(verify(store.get(), dir.file("new-client.crt")) == X509_V_OK);
}

}  // namespace
}  // namespace yici::net
