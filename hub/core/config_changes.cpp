#include "hub/core/config_changes.h"

namespace yici {

std::vector<std::string> settings_needing_restart(const HubConfig& running, const HubConfig& file) {
  std::vector<std::string> out;
  const auto check = [&](const char* name, bool same) {
    if (!same) out.emplace_back(name);
  };
  check("listen", running.listen == file.listen);
  check("data_dir", running.data_dir == file.data_dir);
  check("schemas_dir", running.schemas_dir == file.schemas_dir);
  check("sources_dir", running.sources_dir == file.sources_dir);
  check("matters_dir", running.matters_dir == file.matters_dir);
  check("policy", running.policy == file.policy);  // its contents reload; its path does not
  check("limits", running.limits == file.limits);
  check("log", running.log == file.log);
  check("ingest", running.ingest == file.ingest);
  check("audit", running.audit == file.audit);
  check("threads", running.threads == file.threads);
  return out;
}

}  // namespace yici
