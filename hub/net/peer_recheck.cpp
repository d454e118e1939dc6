#include "hub/net/peer_recheck.h"

#include <ctime>
#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace yici::net {

std::optional<std::string> peer_no_longer_verifies(SSL* ssl, SSL_CTX* current) {
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return std::nullopt;
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  // On the server side the chain the client sent does not hold its own certificate.
  if (!check ||
      X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(current), leaf, SSL_get_peer_cert_chain(ssl)) != 1) {
    ERR_clear_error();
    return "the certificate could not be checked again (out of memory)";
  }
  // As the handshake checks a client's certificate: its purpose, then the context's settings.
  X509_STORE_CTX_set_default(check.get(), "ssl_client");
  X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(check.get()), SSL_CTX_get0_param(current));
  const int ok = X509_verify_cert(check.get());
  const int error = X509_STORE_CTX_get_error(check.get());
  ERR_clear_error();
  if (ok == 1) return std::nullopt;
  return std::string(X509_verify_cert_error_string(error));
}

std::optional<std::int64_t> peer_chain_not_after(SSL* ssl) {
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  std::optional<std::int64_t> earliest;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(chain, i)), &tm) != 1) return std::nullopt;
    const std::int64_t t = timegm(&tm);
    if (!earliest || t < *earliest) earliest = t;
  }
  return earliest;
}

}  // namespace yici::net
