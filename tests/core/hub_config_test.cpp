#include "hub/core/hub_config.h"

#include <doctest/doctest.h>

namespace yici {
namespace {

constexpr const char* kGood = R"(listen: 127.0.0.1:9443
data_dir: /tmp/x
policy: p.yaml
tls: {cert: a.crt, key: a.key, client_ca: ca.crt, crl_file: clients.crl}
limits: {body_bytes: 2048, read_timeout: 5s, max_connections: 10, max_connections_per_address: 4}
log: {level: debug, format: text}
audit: {hmac_key_file: /etc/yici/audit.key, checkpoint_every: 50, checkpoint_interval: 10s, group_commit_max: 64}
threads: 3
)";

TEST_CASE("hub config: a complete file parses with every value") {
  auto c = HubConfig::parse(kGood, "hub.yaml");
  REQUIRE(c.ok());
  CHECK(c->listen.host == "127.0.0.1");
  CHECK(c->listen.port == 9443);
  CHECK(c->data_dir == "/tmp/x");
  CHECK(c->policy == "p.yaml");
  CHECK(c->schemas_dir == "schemas");  // default kept
  CHECK(c->tls.client_ca == "ca.crt");
  CHECK(c->tls.crl_file == "clients.crl");
  CHECK(c->limits.body_bytes == 2048);
  CHECK(c->limits.read_timeout == std::chrono::seconds(5));
  CHECK(c->limits.max_connections == 10);
  CHECK(c->limits.max_connections_per_address == 4);
  CHECK(c->log.level == "debug");
  CHECK(c->threads == 3);
  CHECK(c->audit.hmac_key_file == "/etc/yici/audit.key");
  CHECK(c->audit.checkpoint_every == 50);
  CHECK(c->audit.checkpoint_interval == std::chrono::seconds(10));
  CHECK(c->audit.group_commit_max == 64);
}

TEST_CASE("hub config: each kind of bad file is an error naming file and line") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"listen: 127.0.0.1:8443\nlisten_port: 3\ntls: {cert: a, key: b, client_ca: c}\n",
       "hub.yaml:2: unknown key \"listen_port\""},
      {"listen: nowhere\ntls: {cert: a, key: b, client_ca: c}\n", "hub.yaml:1: bad listen address"},
      {"listen: 127.0.0.1:70000\ntls: {cert: a, key: b, client_ca: c}\n", "port must be a number"},
      {"data_dir: x\n", "hub.yaml:1: missing required key \"tls\""},
      {"tls: {cert: a, key: b}\n", "missing required key \"client_ca\""},
      {"tls: {cert: a, key: b, client_ca: c, min_version: '1.1'}\n", "tls.min_version must be"},
      {"tls: {cert: a, key: b, client_ca: c}\nlimits:\n  read_timeout: soon\n",
       "hub.yaml:3: \"read_timeout\": bad duration"},
      {"tls: {cert: a, key: b, client_ca: c}\nlimits: {body_bytes: -1}\n", "body_bytes\" must be between"},
      {"tls: {cert: a, key: b, client_ca: c}\nlimits: {max_connections_per_address: -1}\n",
       "max_connections_per_address\" must be between"},
      {"tls: {cert: a, key: b, client_ca: c}\nthreads: many\n", "hub.yaml:2: \"threads\" must be an integer"},
      {"tls: [a, b]\n", "tls must be a mapping"},
      {"tls: {cert: a, key: b, client_ca: c}\naudit: {checkpoint_every: 0}\n", "\"checkpoint_every\" must be between"},
      {"tls: {cert: a, key: b, client_ca: c}\naudit: {hmac_key: x}\n", "hub.yaml:2: unknown key \"hmac_key\""},
      {"tls: {cert: a, key: b, client_ca: c}\ningest:\n  api_source_paths: [srv/exports]\n",
       "hub.yaml:3: ingest.api_source_paths must list absolute directories"},
      {"tls: {cert: a, key: b, client_ca: c}\ningest: {api_source_paths: /srv}\n", "must be a list"},
      {"tls: {cert: a, key: b, client_ca: c}\ningest: {api_source_env: ['*']}\n",
       "ingest.api_source_env must list environment variable names"},
      {"tls: {cert: a, key: b, client_ca: c}\ningest: {api_source_env: [path]}\n", "\"path\" is not one"},
      {"listen: [\n", "YAML syntax error"},
      {"- a\n- b\n", "hub configuration must be a mapping"},
      {"data_dir: a\ntls: {cert: a, key: b, client_ca: c}\ndata_dir: b\n", "hub.yaml:3: duplicate key \"data_dir\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto r = HubConfig::parse(c.text, "hub.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("hub config: a missing file is an io error naming the path") {
  auto r = HubConfig::load_file("/nonexistent/hub.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kIo);
  CHECK(r.error().message.find("/nonexistent/hub.yaml") != std::string::npos);
}

TEST_CASE("hub config: command-line overrides replace file values and are validated") {
  auto c = HubConfig::parse(kGood, "hub.yaml");
  REQUIRE(c.ok());
  HubConfigOverrides o;
  o.listen = "[::1]:0";
  o.data_dir = "/tmp/other";
  o.sources_dir = "/tmp/sources";
  REQUIRE(apply_overrides(*c, o).ok());
  CHECK(c->listen.host == "::1");
  CHECK(c->listen.port == 0);
  CHECK(c->listen.to_string() == "[::1]:0");
  CHECK(c->data_dir == "/tmp/other");
  CHECK(c->sources_dir == "/tmp/sources");
  HubConfigOverrides bad;
  bad.listen = "::1:80";
  CHECK_FALSE(apply_overrides(*c, bad).ok());
}

TEST_CASE("listen address parsing") {
  CHECK(ListenAddress::parse("localhost:8443").ok());
  CHECK_FALSE(ListenAddress::parse(":8443").ok());
  CHECK_FALSE(ListenAddress::parse("127.0.0.1").ok());
  CHECK_FALSE(ListenAddress::parse("127.0.0.1:").ok());
  CHECK_FALSE(ListenAddress::parse("127.0.0.1:84x3").ok());
  CHECK_FALSE(ListenAddress::parse("example.com:443").ok());
  CHECK_FALSE(ListenAddress::parse("[::1:443").ok());
}

}  // namespace
}  // namespace yici
