// Checking a connection's client certificate again after the handshake: keep-alive connections
// outlive reloads (a CRL that now revokes the certificate, a CA taken out of client_ca) and the
// certificate's own expiry, and each request must be let in as a new connection would be.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct ssl_st;
struct ssl_ctx_st;

namespace yici::net {

// Verifies the certificate the connection's client presented, with the chain it sent, against
// `current` (the server context in force now: its client CA, CRLs and verify settings) at the
// present time. The reason, OpenSSL's ("certificate revoked", "certificate has expired"), when
// it no longer verifies; none when it does or the client presented none.
std::optional<std::string> peer_no_longer_verifies(ssl_st* ssl, ssl_ctx_st* current);

// The earliest notAfter of the connection's verified chain, the client's certificate, its
// intermediates and the CA (Unix seconds): past it the chain no longer verifies. None without one.
std::optional<std::int64_t> peer_chain_not_after(ssl_st* ssl);

}  // namespace yici::net
