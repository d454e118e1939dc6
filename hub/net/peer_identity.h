// Reads the verified client certificate off an established TLS session.
#pragma once

#include "hub/access/principal.h"

struct ssl_st;

namespace yici::net {

access::PeerIdentity peer_identity(ssl_st* ssl);

}  // namespace yici::net
