// Certificate revocation lists for client certificates (tls.crl_file): a department certificate
// that leaked is cut off by revoking it at the CA and giving the hub the CA's new CRL (SIGHUP),
// without changing the policy or rotating the CA.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "hub/core/result.h"

struct x509_store_st;
struct x509_store_ctx_st;

namespace yici::net {

struct LoadedCrls {
  std::size_t count = 0;
  std::size_t revoked = 0;                       // certificates revoked, over all the CRLs
  std::optional<std::int64_t> next_update_unix;  // the earliest nextUpdate: none when no CRL has one
  // "<CA>: <names>" for each CRL that names an issuing distribution point. OpenSSL applies such a
  // CRL only to certificates whose CRL distribution points name the same point; it refuses the
  // CA's other certificates ("Different CRL scope").
  std::vector<std::string> scoped;
};

// Reads every PEM CRL in `crl_file` into `store` and turns revocation checking on for every
// certificate of a client's chain (X509_V_FLAG_CRL_CHECK_ALL). OpenSSL refuses every certificate
// under a CA whose CRL is missing, stale, not yet valid or not one it can use, and may check a
// certificate against the wrong CRL or an older one, so the file is refused (and nothing added)
// unless: each CRL is signed by a CA in `client_ca`, current at `now`, complete (no delta CRL, no
// issuing distribution point limited to some certificates or reasons, no critical extension
// OpenSSL does not check), and the only one of its CA; each CA in client_ca has one; and a CRL of
// a CA that shares its name with another in client_ca names its key (authority key identifier).
// Sets crl_verify_callback on the store.
Result<LoadedCrls> add_crls(x509_store_st* store, const std::string& crl_file, const std::string& client_ca,
                            std::time_t now);

// An X509 verify callback that lets the trust anchor at the top of a chain (a CA of client_ca,
// self-signed) through when no CRL covers it. RFC 5280 (6.1) checks no trust anchor for
// revocation, but OpenSSL's X509_V_FLAG_CRL_CHECK_ALL checks it against its own CRL, and a CRL
// naming an issuing distribution point covers only certificates naming that point, which a root
// does not: every chain would be refused. Any other refusal stands. A TLS context with its own
// callback (which overrides the store's) calls it first.
int crl_verify_callback(int ok, x509_store_ctx_st* ctx);

}  // namespace yici::net
