#include "hub/net/peer_identity.h"

#include <string>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hub/core/sha256.h"

namespace yici::net {

access::PeerIdentity peer_identity(ssl_st* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  return identity_of_verified(cert);
}

access::PeerIdentity identity_of_verified(x509_st* cert) {
  access::PeerIdentity id;
  id.has_certificate = true;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1) id.fingerprint_sha256 = to_hex(md, md_len);
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) {
    id.problem = "the certificate's subject has no CN";
    return id;
  }
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) {
    id.problem = "the certificate's subject has more than one CN; the hub maps a certificate by exactly one";
    return id;
  }
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    id.problem = "the certificate's CN cannot be read as text";
    return id;
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  if (cn.find('\0') != std::string::npos) {
    id.problem = "the certificate's CN contains a NUL byte";
    return id;
  }
  id.subject_cn = std::move(cn);
  return id;
}

}  // namespace yici::net
