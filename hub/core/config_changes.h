// What a reload can and cannot apply. A reload re-reads the policy file, the signing keys and the
// TLS files (certificate, key, client CA, minimum version); every other setting of hub.yaml is read
// once at start. An operator who edits one of those and reloads must be told it is not in force.
#pragma once

#include <string>
#include <vector>

#include "hub/core/hub_config.h"

namespace yici {

// The settings (top-level keys of hub.yaml, such as "limits" or "ingest") whose value in `file`
// differs from the one the hub runs with, among those only a restart applies. `file` should have
// the command line's overrides applied as `running` has (HubConfig::overrides).
std::vector<std::string> settings_needing_restart(const HubConfig& running, const HubConfig& file);

}  // namespace yici
