// Which environment variables a source registered through the admin API may read a password from.
// password_env names a variable of the hub's own environment, and the adapter sends its value as
// the password to the server the definition names: without a limit, an administrator's certificate
// could send any secret the hub was started with (another department's database password) to a
// server of its choosing. hub.yaml's ingest.api_source_env lists the names, or prefixes ending in
// '*', such sources may use; none by default. Sources in sources_dir are not limited.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/admin/source_check.h"
#include "hub/ingest/source_definition.h"

namespace yici::admin {

// Whether `name` is one of `allowed` (a name, or a prefix ending in '*').
bool env_allowed(std::string_view name, const std::vector<std::string>& allowed);

// One problem per variable the source's adapter reads (Adapter::environment) that is not allowed.
std::vector<SourceProblem> check_api_source_env(const ingest::SourceDefinition& source,
                                                const std::vector<std::string>& allowed);

}  // namespace yici::admin
