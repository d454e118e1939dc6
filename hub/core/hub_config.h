// The hub's own configuration (config/hub.yaml), parsed strictly: unknown keys and bad values are
// errors naming the file and line. Command-line flags override the file (see apply_overrides).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/core/result.h"

namespace yici {

struct ListenAddress {
  std::string host;  // literal IP address, or "localhost"
  std::uint16_t port = 0;

  static Result<ListenAddress> parse(std::string_view text);  // "127.0.0.1:8443", "[::1]:8443"
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct TlsConfig {
  std::string cert;                 // PEM server certificate chain
  std::string key;                  // PEM private key
  std::string client_ca;            // PEM CA bundle that client certificates must chain to
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string crl_file;             // PEM CRLs of client_ca's CAs; empty: no revocation checking
  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct LimitsConfig {
  std::size_t header_bytes = std::size_t{16} * 1024;
  std::size_t body_bytes = std::size_t{1024} * 1024;
  std::size_t max_connections = 1024;
  // Connections from one IP address at once (0: no limit of its own): one client, misbehaving or
  // hostile, cannot take every slot of max_connections from the departments.
  std::size_t max_connections_per_address = 256;
  std::size_t max_batch_items = 100;  // items in one POST /v1/lookups
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};  // whole request, from its first byte
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_grace{20'000};  // in-flight requests finish within this on SIGTERM
  friend bool operator==(const LimitsConfig&, const LimitsConfig&) = default;
};

// audit: the audit log (hub/audit/audit_log.h).
struct AuditConfig {
  std::string hmac_key_file;                              // empty: data_dir/audit-hmac.key, made on first start
  std::int64_t checkpoint_every = 1000;                   // sign a checkpoint after this many new entries
  std::chrono::milliseconds checkpoint_interval{60'000};  // ... or this long after the last, if any were added
  std::int64_t group_commit_max = 1024;                   // entries per transaction at most
  // Readable subjects of entries older than this are set to NULL (subject_retention.h); 0: kept.
  std::chrono::milliseconds subject_retention{0};
  friend bool operator==(const AuditConfig&, const AuditConfig&) = default;
};

struct SigningKeyConfig {
  std::string file;   // PKCS#8 PEM, EC P-256
  std::string state;  // active, next or retired
  friend bool operator==(const SigningKeyConfig&, const SigningKeyConfig&) = default;
};

struct IngestConfig {
  int max_concurrent_pulls = 2;
  std::size_t batch_size = 10000;  // bench, 200k rows: 23k rows/s at 1,000, 61k at 10,000 (each commit is an fsync)
  std::chrono::milliseconds stale_after{60 * 60 * 1000};  // records of a source failing longer are marked stale
  int max_retries = 5;
  std::chrono::milliseconds retry_base{5'000};
  std::chrono::milliseconds retry_max{5 * 60 * 1000};
  // Directories whose files sources registered through the admin API may read (databases,
  // exports, certificates, password and token files). Empty: none, so such sources use network
  // adapters only. Sources in sources_dir are the host operator's and are not confined.
  std::vector<std::string> api_source_paths;
  // Environment variables sources registered through the admin API may take a password from
  // (password_env): names, or prefixes ending in '*'. None: no API source may use password_env.
  std::vector<std::string> api_source_env;
  friend bool operator==(const IngestConfig&, const IngestConfig&) = default;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "json";  // json or text
  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

struct HubConfigOverrides {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> sources_dir;
  // --new-audit-log: begin a new, empty audit log in a data directory whose audit.db is missing
  // (store::StoreOptions). Only on the command line: a setting left in a file would hide the next loss.
  bool new_audit_log = false;
};

struct HubConfig {
  std::string source_path;  // the file this came from
  ListenAddress listen{"127.0.0.1", 8443};
  std::string data_dir = "var/demo";
  std::string schemas_dir = "schemas";
  std::string sources_dir = "config/sources";
  std::string matters_dir = "config/matters";
  std::string policy = "config/policy.yaml";
  TlsConfig tls;
  LimitsConfig limits;
  LogConfig log;
  IngestConfig ingest;
  AuditConfig audit;
  std::vector<SigningKeyConfig> signing_keys;  // signing.keys: exactly one active
  int threads = 0;                             // 0: one per hardware thread
  HubConfigOverrides overrides;                // the command line's, as apply_overrides applied them

  // Relative paths are taken from the working directory the hub is started in.
  static Result<HubConfig> load_file(const std::string& path);
  static Result<HubConfig> parse(std::string_view text, const std::string& origin);
};

Status apply_overrides(HubConfig& config, const HubConfigOverrides& overrides);

}  // namespace yici
