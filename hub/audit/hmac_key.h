// The audit log's HMAC secret: read from a file the operator provides, or made on first start
// (32 random bytes, hex, mode 0600) in the data directory. A key file others can read is refused.
// The key's value is never logged.
#pragma once

#include <string>

#include "hub/core/result.h"

namespace yici::audit {

// `configured`: the audit.hmac_key_file setting, or empty to use `data_dir`/audit-hmac.key.
Result<std::string> load_or_create_hmac_key(const std::string& configured, const std::string& data_dir);

}  // namespace yici::audit
