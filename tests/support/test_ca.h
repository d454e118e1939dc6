// Certificate authorities made in a test with openssl, for chains the development PKI lacks: a root
// with an intermediate, a client certificate issued by either.
#pragma once

#include <string>

namespace yici::test {

// A CA in `dir` (ca.crt, ca.key) named `cn`, self-signed or issued by the CA in `issuer_dir`
// (which holds ca.crt and ca.key, as pki_dir() does). 30 days, EC P-256.
void make_ca(const std::string& dir, const std::string& cn, const std::string& issuer_dir = "");

// A client certificate `out`.crt with its key `out`.key for `cn`, issued by the CA in `issuer_dir`.
// `extensions`: more lines of its extension section, openssl.cnf form
// ("crlDistributionPoints = URI:http://ca.example/c.crl").
void make_client(const std::string& out, const std::string& cn, const std::string& issuer_dir,
                 const std::string& extensions = "");

}  // namespace yici::test
