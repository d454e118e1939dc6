#include "hub/core/config_changes.h"

#include <doctest/doctest.h>

namespace yici {
namespace {

HubConfig parsed(const std::string& yaml) { return HubConfig::parse(yaml, "hub.yaml").value(); }

TEST_CASE("config changes: only settings a reload cannot apply are named, each once") {
  const std::string base = "listen: 127.0.0.1:8443\ntls: {cert: a.crt, key: a.key, client_ca: ca.crt}\n";
  const HubConfig running = parsed(base);
  CHECK(settings_needing_restart(running, parsed(base)).empty());
  // TLS files and signing keys are reloaded: not named.
  CHECK(settings_needing_restart(running, parsed("listen: 127.0.0.1:8443\ntls: {cert: b.crt, key: b.key, "
                                                 "client_ca: bundle.crt}\n"))
            .empty());
  CHECK(settings_needing_restart(
            running, parsed(base + "limits: {max_batch_items: 7, read_timeout: 5s}\ningest: {stale_after: 2h}\n")) ==
        std::vector<std::string>{"limits", "ingest"});
  CHECK(settings_needing_restart(running, parsed("listen: 127.0.0.1:9443\ntls: {cert: a.crt, key: a.key, "
                                                 "client_ca: ca.crt}\naudit: {checkpoint_every: 10}\nthreads: 3\n")) ==
        std::vector<std::string>{"listen", "audit", "threads"});
}

TEST_CASE("config changes: the command line's overrides are not mistaken for edits") {
  const std::string yaml = "data_dir: var/demo\ntls: {cert: a.crt, key: a.key, client_ca: ca.crt}\n";
  HubConfig running = parsed(yaml);
  REQUIRE(apply_overrides(running, {.data_dir = "/srv/yici"}).ok());
  HubConfig file = parsed(yaml);
  CHECK(settings_needing_restart(running, file) == std::vector<std::string>{"data_dir"});
  REQUIRE(apply_overrides(file, running.overrides).ok());  // as the reload does
  CHECK(settings_needing_restart(running, file).empty());
}

}  // namespace
}  // namespace yici
