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
#include "tests/support/test_pki.h"

namespace yici::net {
namespace {

using test::pki;
using StorePtr = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

constexpr std::int64_t kDay = 86400;

StorePtr store_with_ca() {
  StorePtr store(X509_STORE_new(), X509_STORE_free);
  REQUIRE(X509_STORE_load_file(store.get(), pki("ca.crt").c_str()) == 1);
  return store;
}

// certs/make-dev-crl from the given PKI directory, revoking `revoke` (file names in the test PKI).
std::string make_crl(const test::TempDir& dir, const std::string& name, const std::string& revoke = "",
                     const std::string& pki_dir = test::pki_dir()) {
  const std::string out = dir.file(name);
  const std::string cmd = std::string(YICI_SOURCE_DIR) + "/certs/make-dev-crl '" + pki_dir + "' '" + out + "'" +
                          (revoke.empty() ? "" : " '" + pki(revoke) + "'") + " >/dev/null";
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

TEST_CASE("CRL: a revoked certificate is refused, others of the same CA verify, and the earliest nextUpdate is kept") {
  test::TempDir dir;
  const std::string crl = make_crl(dir, "revoked.crl", "market-regulation.crt");
  auto store = store_with_ca();
  // Without the CRL, the certificate verifies: the refusal below is the CRL's doing.
  CHECK(verify(store.get(), pki("market-regulation.crt")) == X509_V_OK);
  const std::time_t now = std::time(nullptr);
  auto loaded = add_crls(store.get(), crl, pki("ca.crt"), now);
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(loaded->count == 1);
  CHECK(loaded->revoked == 1);
  CHECK(loaded->cas_without_crl.empty());
  REQUIRE(loaded->next_update_unix.has_value());
  CHECK(*loaded->next_update_unix > now + 29 * kDay);
  CHECK(*loaded->next_update_unix <= now + 31 * kDay);
  CHECK(verify(store.get(), pki("market-regulation.crt")) == X509_V_ERR_CERT_REVOKED);
  CHECK(verify(store.get(), pki("public-security.crt")) == X509_V_OK);
}

TEST_CASE("CRL: a CA in client_ca that no CRL covers is named, since its certificates will be refused") {
  test::TempDir dir;
  const std::string crl = make_crl(dir, "empty.crl");
  dir.write("bundle.crt", test::read_file(pki("ca.crt")) + test::read_file(pki("rogue-ca.crt")));
  auto store = store_with_ca();
  auto loaded = add_crls(store.get(), crl, dir.file("bundle.crt"), std::time(nullptr));
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(loaded->revoked == 0);
  REQUIRE(loaded->cas_without_crl.size() == 1);
  CHECK(loaded->cas_without_crl[0].find("Rogue CA") != std::string::npos);
  // Revocation checking is on: a certificate whose CA has no CRL is refused, not let in unchecked.
  REQUIRE(X509_STORE_load_file(store.get(), pki("rogue-ca.crt").c_str()) == 1);
  CHECK(verify(store.get(), pki("rogue.crt")) == X509_V_ERR_UNABLE_TO_GET_CRL);
}

TEST_CASE("CRL: stale, not yet valid, foreign, forged, unreadable and missing files are refused with the reason") {
  test::TempDir dir;
  const std::string crl = make_crl(dir, "good.crl");
  const std::time_t now = std::time(nullptr);
  const auto refused = [&](const std::string& file, const std::string& client_ca, std::time_t at) {
    auto store = store_with_ca();
    auto loaded = add_crls(store.get(), file, client_ca, at);
    REQUIRE_FALSE(loaded.ok());
    // Nothing was turned on: the store lets its CA's certificates in as before.
    CHECK(verify(store.get(), pki("market-regulation.crt")) == X509_V_OK);
    return loaded.error().message;
  };
  CHECK(refused(crl, pki("ca.crt"), now + 31 * kDay).find("expired at") != std::string::npos);
  CHECK(refused(crl, pki("ca.crt"), now - kDay).find("is not valid before") != std::string::npos);
  // Issued by the development CA, but client_ca trusts only another CA.
  CHECK(refused(crl, pki("rogue-ca.crt"), now).find("is not signed by a CA in tls.client_ca") != std::string::npos);

  // Forged: a CA of the same name with another key signs a CRL (the name alone proves nothing).
  test::TempDir fake;
  REQUIRE(test::run_command("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                            fake.file("ca.key") + " 2>/dev/null && openssl req -new -x509 -key " + fake.file("ca.key") +
                            " -subj '/O=Yici development/CN=Yici development CA' -days 30 -out " + fake.file("ca.crt") +
                            " 2>/dev/null") == 0);
  const std::string forged = make_crl(dir, "forged.crl", "", fake.path().string());
  CHECK(refused(forged, pki("ca.crt"), now).find("is not signed by a CA in tls.client_ca") != std::string::npos);

  dir.write("garbage.crl", "not a CRL\n");
  CHECK(refused(dir.file("garbage.crl"), pki("ca.crt"), now).find("holds no PEM CRL") != std::string::npos);
  const std::string good = test::read_file(crl);
  dir.write("cut.crl", good + good.substr(0, good.size() / 2));
  CHECK(refused(dir.file("cut.crl"), pki("ca.crt"), now).find("CRL 2 in the file cannot be read") != std::string::npos);
  CHECK(refused(dir.file("gone.crl"), pki("ca.crt"), now).find("gone.crl: cannot open") != std::string::npos);
}

}  // namespace
}  // namespace yici::net
