#include "hub/core/hub_config.h"

#include <algorithm>
#include <charconv>

#include <boost/asio/ip/address.hpp>

#include "hub/core/yaml_reader.h"

namespace yici {

Result<ListenAddress> ListenAddress::parse(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error::invalid("bad listen address \"" + std::string(text) + "\": " + std::string(why) +
                          " (expected HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443)");
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("unclosed IPv6 bracket or missing port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("IPv6 addresses need brackets");
  }
  if (host.empty()) return bad("missing host");
  if (host != "localhost") {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    if (ec) return bad("host must be an IP address or localhost");
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || port.empty() || value > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

namespace {

Status parse_tls(const YamlDoc& doc, const YAML::Node& node, TlsConfig& tls) {
  YICI_TRY_STATUS(doc.expect_map(node, {"cert", "key", "client_ca", "crl_file", "min_version"}, "tls"));
  YICI_TRY(tls.cert, doc.required_string(node, "cert"));
  YICI_TRY(tls.key, doc.required_string(node, "key"));
  YICI_TRY(tls.client_ca, doc.required_string(node, "client_ca"));
  YICI_TRY(auto crl_file, doc.optional_string(node, "crl_file"));
  if (crl_file) tls.crl_file = *crl_file;
  YICI_TRY(auto min_version, doc.optional_string(node, "min_version"));
  if (min_version) {
    if (*min_version != "1.2" && *min_version != "1.3") {
      return doc.error_at(node["min_version"], "tls.min_version must be \"1.2\" or \"1.3\"");
    }
    tls.min_version = *min_version;
  }
  return {};
}

Status parse_limits(const YamlDoc& doc, const YAML::Node& node, LimitsConfig& limits) {
  YICI_TRY_STATUS(doc.expect_map(
      node,
      {"header_bytes", "body_bytes", "max_connections", "max_connections_per_address", "handshake_timeout",
       "read_timeout", "write_timeout", "idle_timeout", "shutdown_grace", "max_batch_items"},
      "limits"));
  YICI_TRY(auto header, doc.optional_int(node, "header_bytes", 1024, 1 << 20));
  if (header) limits.header_bytes = static_cast<std::size_t>(*header);
  YICI_TRY(auto body, doc.optional_int(node, "body_bytes", 0, std::int64_t{1} << 30));
  if (body) limits.body_bytes = static_cast<std::size_t>(*body);
  YICI_TRY(auto conns, doc.optional_int(node, "max_connections", 1, 1'000'000));
  if (conns) limits.max_connections = static_cast<std::size_t>(*conns);
  YICI_TRY(auto per_address, doc.optional_int(node, "max_connections_per_address", 0, 1'000'000));
  if (per_address) limits.max_connections_per_address = static_cast<std::size_t>(*per_address);
  YICI_TRY(auto batch_items, doc.optional_int(node, "max_batch_items", 1, 10'000));
  if (batch_items) limits.max_batch_items = static_cast<std::size_t>(*batch_items);
  const std::pair<const char*, std::chrono::milliseconds*> durations[] = {
      {"handshake_timeout", &limits.handshake_timeout},
      {"read_timeout", &limits.read_timeout},
      {"write_timeout", &limits.write_timeout},
      {"idle_timeout", &limits.idle_timeout},
      {"shutdown_grace", &limits.shutdown_grace}};
  for (const auto& [key, target] : durations) {
    YICI_TRY(auto value, doc.optional_duration(node, key));
    if (value) {
      if (value->count() <= 0) return doc.error_at(node[key], std::string(key) + " must be greater than zero");
      *target = *value;
    }
  }
  return {};
}

Status parse_audit(const YamlDoc& doc, const YAML::Node& node, AuditConfig& audit) {
  YICI_TRY_STATUS(doc.expect_map(
      node, {"hmac_key_file", "checkpoint_every", "checkpoint_interval", "group_commit_max", "subject_retention"},
      "audit"));
  YICI_TRY(auto key, doc.optional_string(node, "hmac_key_file"));
  if (key) audit.hmac_key_file = *key;
  YICI_TRY(auto every, doc.optional_int(node, "checkpoint_every", 1, 100'000'000));
  if (every) audit.checkpoint_every = *every;
  YICI_TRY(auto interval, doc.optional_duration(node, "checkpoint_interval"));
  if (interval) {
    if (interval->count() <= 0)
      return doc.error_at(node["checkpoint_interval"], "checkpoint_interval must be positive");
    audit.checkpoint_interval = *interval;
  }
  YICI_TRY(auto group, doc.optional_int(node, "group_commit_max", 1, 100'000));
  if (group) audit.group_commit_max = *group;
  YICI_TRY(auto retention, doc.optional_duration(node, "subject_retention"));
  if (retention) {
    if (retention->count() <= 0)
      return doc.error_at(node["subject_retention"], "subject_retention must be positive (omit it to keep subjects)");
    audit.subject_retention = *retention;
  }
  return {};
}

// NAME or PREFIX*: upper-case letters, digits and '_', not starting with a digit; a lone "*" is
// refused (it would let API sources name every secret in the hub's environment).
bool valid_env_pattern(std::string_view p) {
  if (!p.empty() && p.back() == '*') p.remove_suffix(1);
  if (p.empty() || (p.front() >= '0' && p.front() <= '9')) return false;
  return std::all_of(p.begin(), p.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

Status parse_ingest(const YamlDoc& doc, const YAML::Node& node, IngestConfig& ingest) {
  YICI_TRY_STATUS(doc.expect_map(node,
                                 {"max_concurrent_pulls", "batch_size", "stale_after", "max_retries", "retry_base",
                                  "retry_max", "api_source_paths", "api_source_env"},
                                 "ingest"));
  YICI_TRY(ingest.api_source_paths, doc.string_list(node, "api_source_paths"));
  for (const auto& dir : ingest.api_source_paths) {
    if (dir.empty() || dir.front() != '/') {
      return doc.error_at(node["api_source_paths"], "ingest.api_source_paths must list absolute directories");
    }
  }
  YICI_TRY(ingest.api_source_env, doc.string_list(node, "api_source_env"));
  for (const auto& name : ingest.api_source_env) {
    if (!valid_env_pattern(name)) {
      return doc.error_at(node["api_source_env"],
                          "ingest.api_source_env must list environment variable names (A-Z, 0-9, _), each "
                          "optionally ending in * for a prefix: \"" +
                              name + "\" is not one");
    }
  }
  YICI_TRY(auto conc, doc.optional_int(node, "max_concurrent_pulls", 1, 64));
  if (conc) ingest.max_concurrent_pulls = static_cast<int>(*conc);
  YICI_TRY(auto batch, doc.optional_int(node, "batch_size", 1, 100'000));
  if (batch) ingest.batch_size = static_cast<std::size_t>(*batch);
  YICI_TRY(auto retries, doc.optional_int(node, "max_retries", 0, 100));
  if (retries) ingest.max_retries = static_cast<int>(*retries);
  const std::pair<const char*, std::chrono::milliseconds*> durations[] = {
      {"stale_after", &ingest.stale_after}, {"retry_base", &ingest.retry_base}, {"retry_max", &ingest.retry_max}};
  for (const auto& [key, target] : durations) {
    YICI_TRY(auto value, doc.optional_duration(node, key));
    if (value) *target = *value;
  }
  return {};
}

Status parse_signing(const YamlDoc& doc, const YAML::Node& node, std::vector<SigningKeyConfig>& keys) {
  YICI_TRY_STATUS(doc.expect_map(node, {"keys"}, "signing"));
  const YAML::Node list = node["keys"];
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0) {
    return doc.error_at(node, "signing.keys: list the response-signing keys ({file, state})");
  }
  int active = 0;
  for (const auto& k : list) {
    YICI_TRY_STATUS(doc.expect_map(k, {"file", "state"}, "signing key"));
    SigningKeyConfig c;
    YICI_TRY(c.file, doc.required_string(k, "file"));
    YICI_TRY(c.state, doc.required_string(k, "state"));
    if (c.state != "active" && c.state != "next" && c.state != "retired") {
      return doc.error_at(k["state"], "state must be active, next or retired");
    }
    active += c.state == "active" ? 1 : 0;
    keys.push_back(std::move(c));
  }
  if (active != 1) return doc.error_at(list, "signing.keys needs exactly one active key");
  return {};
}

Status parse_log(const YamlDoc& doc, const YAML::Node& node, LogConfig& log) {
  YICI_TRY_STATUS(doc.expect_map(node, {"level", "format"}, "log"));
  YICI_TRY(auto level, doc.optional_string(node, "level"));
  if (level) {
    if (*level != "trace" && *level != "debug" && *level != "info" && *level != "warn" && *level != "error") {
      return doc.error_at(node["level"], "log.level must be one of trace, debug, info, warn, error");
    }
    log.level = *level;
  }
  YICI_TRY(auto format, doc.optional_string(node, "format"));
  if (format) {
    if (*format != "json" && *format != "text") return doc.error_at(node["format"], "log.format must be json or text");
    log.format = *format;
  }
  return {};
}

}  // namespace

namespace {

Result<HubConfig> from_doc(const YamlDoc& doc) {
  HubConfig config;
  config.source_path = doc.origin();
  const YAML::Node& root = doc.root();
  YICI_TRY_STATUS(doc.expect_map(root,
                                 {"listen", "data_dir", "schemas_dir", "sources_dir", "matters_dir", "policy", "tls",
                                  "limits", "log", "ingest", "audit", "signing", "threads"},
                                 "hub configuration"));
  YICI_TRY(auto listen, doc.optional_string(root, "listen"));
  if (listen) {
    auto parsed = ListenAddress::parse(*listen);
    if (!parsed) return doc.error_at(root["listen"], parsed.error().message);
    config.listen = *parsed;
  }
  const std::pair<const char*, std::string*> paths[] = {{"data_dir", &config.data_dir},
                                                        {"schemas_dir", &config.schemas_dir},
                                                        {"sources_dir", &config.sources_dir},
                                                        {"matters_dir", &config.matters_dir},
                                                        {"policy", &config.policy}};
  for (const auto& [key, target] : paths) {
    YICI_TRY(auto value, doc.optional_string(root, key));
    if (value) {
      if (value->empty()) return doc.error_at(root[key], std::string(key) + " must not be empty");
      *target = *value;
    }
  }
  if (!root["tls"].IsDefined()) return doc.error_at(root, "missing required key \"tls\" (cert, key, client_ca)");
  YICI_TRY_STATUS(parse_tls(doc, root["tls"], config.tls));
  if (root["limits"].IsDefined()) YICI_TRY_STATUS(parse_limits(doc, root["limits"], config.limits));
  if (root["log"].IsDefined()) YICI_TRY_STATUS(parse_log(doc, root["log"], config.log));
  if (root["ingest"].IsDefined()) YICI_TRY_STATUS(parse_ingest(doc, root["ingest"], config.ingest));
  if (root["audit"].IsDefined()) YICI_TRY_STATUS(parse_audit(doc, root["audit"], config.audit));
  if (root["signing"].IsDefined()) YICI_TRY_STATUS(parse_signing(doc, root["signing"], config.signing_keys));
  YICI_TRY(auto threads, doc.optional_int(root, "threads", 0, 1024));
  if (threads) config.threads = static_cast<int>(*threads);
  return config;
}

}  // namespace

Result<HubConfig> HubConfig::load_file(const std::string& path) {
  YICI_TRY(auto doc, YamlDoc::load_file(path));
  return read_guarded(doc, [&] { return from_doc(doc); });
}

Result<HubConfig> HubConfig::parse(std::string_view text, const std::string& origin) {
  YICI_TRY(auto doc, YamlDoc::parse(text, origin));
  return read_guarded(doc, [&] { return from_doc(doc); });
}

Status apply_overrides(HubConfig& config, const HubConfigOverrides& overrides) {
  if (overrides.listen) {
    auto parsed = ListenAddress::parse(*overrides.listen);
    if (!parsed) return Error::invalid("--listen: " + parsed.error().message);
    config.listen = *parsed;
  }
  if (overrides.data_dir) {
    if (overrides.data_dir->empty()) return Error::invalid("--data-dir must not be empty");
    config.data_dir = *overrides.data_dir;
  }
  if (overrides.sources_dir) {
    if (overrides.sources_dir->empty()) return Error::invalid("--sources-dir must not be empty");
    config.sources_dir = *overrides.sources_dir;
  }
  config.overrides = overrides;
  return {};
}

}  // namespace yici
