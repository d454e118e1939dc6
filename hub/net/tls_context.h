// The server's TLS configuration: TLS 1.2 minimum (1.3 preferred), AEAD ECDHE suites only, client
// certificates verified against client_ca (and, with tls.crl_file, its CRLs) when presented (their
// absence is answered with 401 by the router, so /healthz stays reachable without one).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hub/core/hub_config.h"
#include "hub/core/result.h"
#include "hub/net/crl.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;

namespace yici::net {

struct ServerTls {
  std::shared_ptr<boost::asio::ssl::context> context;
  // With tls.crl_file: what was loaded (crl.h). Past the earliest nextUpdate OpenSSL refuses
  // every certificate of that CA until a newer CRL is loaded.
  std::optional<LoadedCrls> crls;
};

Result<ServerTls> make_server_tls_context(const TlsConfig& tls);

// The CN of a client certificate the handshake refused (expired, another CA), at most 128 bytes;
// empty when none was refused or it had no readable CN. For the handshake failure's log line.
std::string refused_client_cn(ssl_st* ssl);

}  // namespace yici::net
