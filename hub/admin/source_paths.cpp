#include "hub/admin/source_paths.h"

namespace yici::admin {

std::vector<SourceProblem> check_api_source_paths(const ingest::SourceDefinition& source,
                                                  const std::vector<std::string>& allowed_dirs) {
  std::vector<SourceProblem> out;
  if (!source.adapter) return out;
  // The same resolution and containment as each open later makes (file_confinement.h).
  const auto allowed = adapters::FileConfinement::within(allowed_dirs);
  std::string listed;
  for (const auto& d : allowed_dirs) listed += (listed.empty() ? "" : ", ") + d;
  for (const std::string& file : source.adapter->local_files()) {
    if (allowed.contains(file)) continue;
    out.push_back(
        {"adapter", allowed_dirs.empty()
                        ? file + ": sources registered through the API may not read files on the hub's machine until "
                                 "hub.yaml lists the directories they may use (ingest.api_source_paths)"
                        : file + " is outside the directories sources registered through the API may read (" + listed +
                              "; hub.yaml ingest.api_source_paths)"});
  }
  return out;
}

}  // namespace yici::admin
