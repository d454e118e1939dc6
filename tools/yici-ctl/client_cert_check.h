// yici-ctl's own look at the client certificate it is about to present: one that has expired or
// is not yet valid is refused by the hub in the TLS handshake, which the client sees only as a
// failed connection ("cannot reach the hub"). Said before connecting, with the dates, it is a
// problem the user can act on (ask the hub's operator for a new certificate, or fix the clock).
#pragma once

#include <optional>
#include <string>

namespace yici::ctl {

// Why the PEM certificate at `path` cannot be used now (expired, or not valid yet), or nullopt when
// it can, or when it cannot be read: loading it for the connection reports that.
std::optional<std::string> client_certificate_problem(const std::string& path);

}  // namespace yici::ctl
