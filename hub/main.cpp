// yici-hub: the exchange hub server.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "hub/core/fd_limit.h"
#include "hub/core/hub_config.h"
#include "hub/core/log.h"
#include "hub/core/version.h"
#include "hub/hub.h"

namespace {

// Descriptors beyond the connections: SQLite databases with their WAL and journal files (a reader
// per thread), source files and connections to departments during pulls, the log.
constexpr std::uint64_t kFdReserve = 256;

void check_fd_limit(std::size_t max_connections) {
  const yici::FdLimit fds = yici::raise_fd_limit();
  const std::uint64_t needed = max_connections + kFdReserve;
  if (fds.now < needed) {
    yici::log::warn("open_file_limit_low",
                    {{"limit", fds.now},
                     {"hard_limit", fds.hard},
                     {"max_connections", max_connections},
                     {"needed", needed},
                     {"action", "raise the hard limit to at least " + std::to_string(needed) +
                                    " (LimitNOFILE= in the systemd unit, ulimit -Hn in a shell) or lower "
                                    "limits.max_connections: at the limit new connections are refused and opening "
                                    "a database fails, and lookups answer 503"}});
  } else if (fds.now != fds.before) {
    yici::log::info("open_file_limit_raised", {{"from", fds.before}, {"to", fds.now}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{std::string("yici-hub ") + yici::version() +
               ": the Yici data-sharing exchange hub (HTTPS with client certificates).\n"
               "Flags override the configuration file. SIGTERM/SIGINT drain and stop; SIGHUP reloads the policy, "
               "signing keys, TLS certificate, key and client CA, and sources_dir (an audit entry; other settings "
               "need a restart)."};
  std::string config_path = "config/hub.yaml";
  yici::HubConfigOverrides overrides;
  app.add_option("--config", config_path, "hub configuration file (YAML)")->capture_default_str();
  app.add_option("--listen", overrides.listen, "HOST:PORT to listen on (port 0 picks a free one)");
  app.add_option("--data-dir", overrides.data_dir, "directory for records.db, audit.db, meta.db");
  app.add_option("--sources-dir", overrides.sources_dir, "directory of source definitions (*.yaml)");
  app.add_flag("--new-audit-log", overrides.new_audit_log,
               "begin a new, empty audit log (under a new log id) in a data directory whose audit.db is missing; "
               "without it such a directory is refused. Once, deliberately: a lost log cannot be recovered this way");
  app.set_version_flag("--version", std::string(yici::version()));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other command-line error is 2, as for a bad hub.yaml
    // (CLI11's own codes, 106 or 109, would leak through CLI11_PARSE).
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto config = yici::HubConfig::load_file(config_path);
  if (!config) {
    std::fprintf(stderr, "yici-hub: %s\n", config.error().message.c_str());
    return 2;
  }
  if (auto st = yici::apply_overrides(*config, overrides); !st.ok()) {
    std::fprintf(stderr, "yici-hub: %s\n", st.error().message.c_str());
    return 2;
  }
  yici::log::init(config->log);
  check_fd_limit(config->limits.max_connections);
  yici::adapters::AdapterRegistry adapters;
  yici::adapters::register_builtin_adapters(adapters);
  auto hub = yici::Hub::create(std::move(*config), adapters);
  if (!hub) {
    yici::log::error("startup_failed", {{"error", hub.error().message}});
    std::fprintf(stderr, "yici-hub: %s\n", hub.error().message.c_str());
    return 1;
  }
  return (*hub)->run();
}
