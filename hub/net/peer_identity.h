// Reads the verified client certificate off an established TLS session.
#pragma once

#include "hub/access/principal.h"

struct ssl_st;
struct x509_st;

namespace yici::net {

access::PeerIdentity peer_identity(ssl_st* ssl);

// The identity a certificate the TLS layer has already verified stands for. A subject with no CN,
// with more than one (which one would name the principal?), or whose CN holds a NUL byte maps to
// no principal: subject_cn stays empty and `problem` says why.
access::PeerIdentity identity_of_verified(x509_st* cert);

}  // namespace yici::net
