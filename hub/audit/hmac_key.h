// The audit log's HMAC secret: read from a file the operator provides, or made on first start
// (32 random bytes, hex, mode 0600) in the data directory. A key file others can read is refused.
// The key's value is never logged.
#pragma once

#include <cstdint>
#include <string>

#include "hub/core/result.h"

namespace yici::audit {

// Where the key is read from: `configured` (audit.hmac_key_file), or `data_dir`/audit-hmac.key.
std::string hmac_key_path(const std::string& configured, const std::string& data_dir);

// `configured`: the audit.hmac_key_file setting, or empty to use `data_dir`/audit-hmac.key.
// `entries_in_log`: how many entries the audit log already holds. A key is only made for an empty
// log: a new key for a log with entries would silently make every earlier subject unsearchable
// (a data directory restored without its key), so that is an error naming what to do.
Result<std::string> load_or_create_hmac_key(const std::string& configured, const std::string& data_dir,
                                            std::uint64_t entries_in_log);

}  // namespace yici::audit
