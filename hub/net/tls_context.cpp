#include "hub/net/tls_context.h"

#include <ctime>

#include <boost/asio/ssl/context.hpp>
#include <boost/json/value_from.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "hub/core/log.h"
#include "hub/core/private_file.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"
#include "hub/net/crl.h"
#include "hub/net/peer_identity.h"

namespace yici::net {
namespace {

// TLS 1.2 suites: forward secret, AEAD only. TLS 1.3 suites are OpenSSL's defaults (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

void free_refused_cn(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/) {
  delete static_cast<std::string*>(ptr);
}

int refused_cn_index() {
  static const int kIndex = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_refused_cn);
  return kIndex;
}

// Verification as OpenSSL does it; when it refuses, the presented certificate's CN is kept on
// the connection for the handshake failure's log line (OpenSSL keeps no peer certificate then).
int remember_refused_cn(int preverify_ok, X509_STORE_CTX* store) {
  if (crl_verify_callback(preverify_ok, store) == 1) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (ssl != nullptr && leaf != nullptr && SSL_get_ex_data(ssl, refused_cn_index()) == nullptr) {
    const access::PeerIdentity id = identity_of_verified(leaf);
    if (!id.subject_cn.empty()) {
      auto* cn = new std::string(bounded_utf8(id.subject_cn, 128));
      if (SSL_set_ex_data(ssl, refused_cn_index(), cn) != 1) delete cn;
    }
  }
  return 0;
}

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// The CA certificates of client_ca, and nothing else of the file: OpenSSL's loader would also
// take the CRLs of a "CA and CRL" bundle, unchecked, beside (or ahead of) those of tls.crl_file.
Status load_client_cas(X509_STORE* store, const TlsConfig& tls) {
  const std::string where = "tls.client_ca " + tls.client_ca;
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(tls.client_ca.c_str(), "r"), BIO_free);
  if (!in) return Error::io(where + ": cannot open: " + openssl_error());
  std::unique_ptr<STACK_OF(X509_INFO), void (*)(STACK_OF(X509_INFO)*)> items(
      PEM_X509_INFO_read_bio(in.get(), nullptr, nullptr, nullptr),
      [](STACK_OF(X509_INFO) * s) { sk_X509_INFO_pop_free(s, X509_INFO_free); });
  if (!items) return Error::io(where + ": cannot load CA certificates: " + openssl_error());
  int certs = 0;
  int crls = 0;
  for (int i = 0; i < sk_X509_INFO_num(items.get()); ++i) {
    const X509_INFO* item = sk_X509_INFO_value(items.get(), i);
    if (item->crl != nullptr) ++crls;
    if (item->x509 == nullptr) continue;
    if (X509_STORE_add_cert(store, item->x509) != 1) {
      return Error::io(where + ": cannot add CA certificate: " + openssl_error());
    }
    ++certs;
  }
  if (certs == 0) return Error::invalid(where + ": holds no PEM certificate");
  if (crls > 0 && !tls.crl_file.empty()) {
    return Error::invalid(where + " holds " + std::to_string(crls) +
                          " CRL(s): put CRLs in tls.crl_file alone, where each is checked, and keep client_ca to "
                          "CA certificates");
  }
  if (crls > 0) {
    log::warn("tls_client_ca_crl_ignored",
              {{"client_ca", tls.client_ca},
               {"crls", crls},
               {"action", "CRLs in client_ca are not used: put them in tls.crl_file to check revocation"}});
  }
  return {};
}

}  // namespace

Result<ServerTls> make_server_tls_context(const TlsConfig& tls) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  const int min_version = tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(native, min_version) != 1) {
    return Error::internal("TLS: cannot set minimum version: " + openssl_error());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                  SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Error::internal("TLS: cannot set cipher list: " + openssl_error());
  }
  if (SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    return Error::internal("TLS: cannot set groups: " + openssl_error());
  }
  if (SSL_CTX_use_certificate_chain_file(native, tls.cert.c_str()) != 1) {
    return Error::io("tls.cert " + tls.cert + ": cannot load certificate chain: " + openssl_error());
  }
  YICI_TRY_STATUS(check_owner_only(tls.key, "the TLS private key (tls.key)"));
  if (SSL_CTX_use_PrivateKey_file(native, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error::io("tls.key " + tls.key + ": cannot load private key: " + openssl_error());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Error::invalid("tls.key " + tls.key + " does not match tls.cert " + tls.cert);
  }
  YICI_TRY_STATUS(load_client_cas(SSL_CTX_get_cert_store(native), tls));
  STACK_OF(X509_NAME)* ca_names = SSL_load_client_CA_file(tls.client_ca.c_str());
  if (ca_names == nullptr) return Error::io("tls.client_ca " + tls.client_ca + ": no CA names: " + openssl_error());
  SSL_CTX_set_client_CA_list(native, ca_names);
  ServerTls out;
  if (!tls.crl_file.empty()) {
    YICI_TRY(const LoadedCrls crls,
             add_crls(SSL_CTX_get_cert_store(native), tls.crl_file, tls.client_ca, std::time(nullptr)));
    out.crls = crls;
    boost::json::object fields{{"crl_file", tls.crl_file}, {"crls", crls.count}, {"revoked", crls.revoked}};
    if (crls.next_update_unix) {
      fields["next_update"] = format_rfc3339_seconds(SysTime(std::chrono::seconds(*crls.next_update_unix)));
    }
    if (!crls.scoped.empty()) fields["scoped"] = boost::json::value_from(crls.scoped);
    log::info("tls_crl_loaded", std::move(fields));
  }
  // Verify a presented certificate (expiry, chain to client_ca); a missing one is the router's 401.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, remember_refused_cn);
  SSL_CTX_set_verify_depth(native, 4);
  static const unsigned char kSessionContext[] = "yici-hub";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  // No resumption: a resumed session carries the certificate verified when it began, so a
  // department certificate expired since, or from a CA since taken out of client_ca, would still
  // be let in (2 hours by OpenSSL's defaults, renewed by each TLS 1.3 resumption). Departments keep
  // connections alive, so a full handshake per connection costs little.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  if (SSL_CTX_set_num_tickets(native, 0) != 1) {
    return Error::internal("TLS: cannot turn session tickets off: " + openssl_error());
  }
  out.context = std::move(ctx);
  return out;
}

std::string refused_client_cn(SSL* ssl) {
  const auto* cn = static_cast<const std::string*>(SSL_get_ex_data(ssl, refused_cn_index()));
  return cn != nullptr ? *cn : std::string();
}

}  // namespace yici::net
