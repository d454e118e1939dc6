#include "hub/admin/source_env.h"

#include <algorithm>

namespace yici::admin {

bool env_allowed(std::string_view name, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](std::string_view a) {
    if (!a.empty() && a.back() == '*') return name.substr(0, a.size() - 1) == a.substr(0, a.size() - 1);
    return name == a;
  });
}

std::vector<SourceProblem> check_api_source_env(const ingest::SourceDefinition& source,
                                                const std::vector<std::string>& allowed) {
  std::vector<SourceProblem> out;
  if (!source.adapter) return out;
  std::string listed;
  for (const auto& a : allowed) listed += (listed.empty() ? "" : ", ") + a;
  for (const std::string& name : source.adapter->environment()) {
    if (env_allowed(name, allowed)) continue;
    out.push_back({"adapter.password_env",
                   allowed.empty()
                       ? "password_env " + name +
                             ": sources registered through the API may not read the hub's environment until hub.yaml "
                             "lists the variables they may use (ingest.api_source_env); or use password_file"
                       : "password_env " + name +
                             " is not one of the variables sources registered through the API "
                             "may read (" +
                             listed + "; hub.yaml ingest.api_source_env)"});
  }
  return out;
}

}  // namespace yici::admin
