// Files holding secrets the hub reads (its TLS key, signing keys, the audit HMAC key) must be
// readable by their owner only: a key others on the machine can read is a key they can copy.
// Refused, not warned about, as default deny asks.
#pragma once

#include <string>

#include "hub/core/result.h"

namespace yici {

// OK when `path` grants nothing to group or others; otherwise an error naming it and `what`
// ("the TLS private key") with the chmod to run. A file that cannot be stat'ed is left to the
// caller's own open, which names the problem.
Status check_owner_only(const std::string& path, const std::string& what);

}  // namespace yici
