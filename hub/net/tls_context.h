// The server's TLS configuration: TLS 1.2 minimum (1.3 preferred), AEAD ECDHE suites only, client
// certificates verified against client_ca when presented (their absence is answered with 401 by
// the router, so /healthz stays reachable without one).
#pragma once

#include <memory>

#include "hub/core/hub_config.h"
#include "hub/core/result.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;

namespace yici::net {

Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const TlsConfig& tls);

// The CN of a client certificate the handshake refused (expired, another CA), at most 128 bytes;
// empty when none was refused or it had no readable CN. For the handshake failure's log line.
std::string refused_client_cn(ssl_st* ssl);

}  // namespace yici::net
