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

namespace yici::net {

struct LoadedCrls {
  std::size_t count = 0;
  std::size_t revoked = 0;                       // certificates revoked, over all the CRLs
  std::optional<std::int64_t> next_update_unix;  // the earliest nextUpdate: none when no CRL has one
  std::vector<std::string> cas_without_crl;      // subjects of CAs in client_ca that no CRL covers
};

// Reads every PEM CRL in `crl_file` into `store` and turns revocation checking on for the leaf
// certificate (X509_V_FLAG_CRL_CHECK). Each CRL must be issued and signed by a CA in `client_ca`,
// current at `now` (thisUpdate not ahead of it, nextUpdate not behind it): OpenSSL would refuse
// every certificate of a CA whose CRL is missing, stale or not yet valid, so such a file is an
// error here rather than a hub that lets no department in. A CA in client_ca that no CRL covers is
// listed: its certificates will be refused.
Result<LoadedCrls> add_crls(x509_store_st* store, const std::string& crl_file, const std::string& client_ca,
                            std::time_t now);

}  // namespace yici::net
