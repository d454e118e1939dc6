#include "hub/net/peer_identity.h"

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace yici::net {
namespace {

using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

// A self-signed certificate whose subject holds the given CN values (raw bytes, UTF-8 strings).
CertPtr make_cert(const std::vector<std::string>& cns) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  REQUIRE(key);
  CertPtr cert(X509_new(), X509_free);
  REQUIRE(X509_set_version(cert.get(), 2) == 1);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  REQUIRE(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Yici test"), -1,
                                     -1, 0) == 1);
  for (const auto& cn : cns) {
    REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                       static_cast<int>(cn.size()), -1, 0) == 1);
  }
  REQUIRE(X509_set_issuer_name(cert.get(), name) == 1);
  REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  return cert;
}

TEST_CASE("peer identity: one CN names the principal, with the certificate's fingerprint") {
  auto cert = make_cert({"market-regulation"});
  const auto id = identity_of_verified(cert.get());
  CHECK(id.has_certificate);
  CHECK(id.subject_cn == "market-regulation");
  CHECK(id.problem.empty());
  CHECK(id.fingerprint_sha256.size() == 64);
}

TEST_CASE("peer identity: a UTF-8 CN is read as text") {
  auto cert = make_cert({"市场监督管理局"});
  CHECK(identity_of_verified(cert.get()).subject_cn == "市场监督管理局");
}

TEST_CASE("peer identity: two CNs map to no principal, whichever comes first") {
  for (const auto& order : {std::vector<std::string>{"market-regulation", "hub-admin"},
                            std::vector<std::string>{"hub-admin", "market-regulation"}}) {
    auto cert = make_cert(order);
    const auto id = identity_of_verified(cert.get());
    CHECK(id.has_certificate);
    CHECK(id.subject_cn.empty());
    CHECK(id.problem.find("more than one CN") != std::string::npos);
    CHECK(id.fingerprint_sha256.size() == 64);
  }
}

TEST_CASE("peer identity: no CN, or a CN with a NUL byte, maps to no principal") {
  auto none = make_cert({});
  CHECK(identity_of_verified(none.get()).subject_cn.empty());
  CHECK(identity_of_verified(none.get()).problem.find("no CN") != std::string::npos);
  auto nul = make_cert({std::string("hub-admin\0market-regulation", 27)});
  CHECK(identity_of_verified(nul.get()).subject_cn.empty());
  CHECK(identity_of_verified(nul.get()).problem.find("NUL") != std::string::npos);
}

}  // namespace
}  // namespace yici::net
