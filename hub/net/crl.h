// Certificate revocation lists for client certificates (tls.crl_file): a department certificate
// that leaked is cut off by revoking it at the CA and giving the hub the CA's new CRL (SIGHUP),
// without changing the policy or rotating the CA.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "hub/core/result.h"

struct x509_store_st;

namespace yici::net {

struct LoadedCrls {
  std::size_t count = 0;
  std::size_t revoked = 0;                       // certificates revoked, over all the CRLs
  std::optional<std::int64_t> next_update_unix;  // the earliest nextUpdate: none when no CRL has one
};

// Reads every PEM CRL in `crl_file` into `store` and turns revocation checking on for every
// certificate of a client's chain (X509_V_FLAG_CRL_CHECK_ALL). OpenSSL refuses every certificate
// under a CA whose CRL is missing, stale, not yet valid or not one it can use, and may check a
// certificate against the wrong CRL or an older one, so the file is refused (and nothing added)
// unless: each CRL is signed by a CA in `client_ca`, current at `now`, complete (no delta CRL, no
// partition by issuing distribution point, no critical extension OpenSSL does not check), and the
// only one of its CA; each CA in client_ca has one; and a CRL of a CA that shares its name with
// another in client_ca names its key (authority key identifier).
Result<LoadedCrls> add_crls(x509_store_st* store, const std::string& crl_file, const std::string& client_ca,
                            std::time_t now);

}  // namespace yici::net
