// Whether the audit HMAC key loaded at start is the one the log was written with. A key restored
// from the wrong backup would otherwise be taken silently: every earlier subject becomes
// unsearchable, and `audit verify` then reports each of them as an edited entry.
//
// audit.db keeps a check value, HMAC(key, "yici audit hmac key check"), in log_info. A log from
// before the check value is checked against its first entry with a readable subject, then given
// the value.
#pragma once

#include <optional>
#include <string>

#include "hub/core/result.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

// `key_path` only names the key in the error.
Status check_hmac_key_matches_log(store::sqlite::Database& audit_db, const std::string& key,
                                  const std::string& key_path);

// Read-only, for offline tools (yici-ctl audit verify --hmac-key): whether `key` gives the check
// value audit.db keeps; nullopt for a log that has none (from before it was kept).
Result<std::optional<bool>> hmac_key_matches_check_value(store::sqlite::Connection& audit_db, const std::string& key);

}  // namespace yici::audit
