// The postgres adapter: reads a department's PostgreSQL database through libpq, streaming with a
// server-side cursor (FETCH in batches) inside a read-only REPEATABLE READ transaction, so a pull
// sees one snapshot and never loads a table into memory. Config (the source's `adapter:` block):
//   type: postgres
//   dsn: "host=db.psb port=5432 dbname=psb user=yici"   # no password here: it is refused
//   password_file: /run/secrets/psb-db                   # or password_env: PSB_DB_PASSWORD
//   tls: {mode: verify-full, ca: /etc/yici/psb-ca.crt}   # mode: disable|prefer|require|verify-ca|verify-full
//   table: rk_jbxx                                       # or query: "SELECT ..."
//   connect_timeout: 10s
//   fetch_size: 1000
//   read_timeout: 5m     # the longest wait for any one answer (a FETCH batch, the DECLARE); past
//                        # it the statement is cancelled and the pull fails (raise it for a query
//                        # whose first rows take the server longer)
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "adapters/adapter.h"
#include "adapters/common/select_builder.h"
#include "adapters/registry.h"

namespace yici::adapters::postgres {

struct PostgresTls {
  std::string mode = "prefer";
  std::string ca, cert, key;
};

struct PostgresConfig {
  std::string dsn;
  std::string password_file;  // a reference: the file is read at each connect, never stored
  std::string password_env;   // likewise, an environment variable's name
  PostgresTls tls;
  SelectSource source;
  std::chrono::milliseconds connect_timeout{10'000};
  int fetch_size = 1000;
  std::chrono::milliseconds read_timeout{300'000};
};

Result<PostgresConfig> parse_postgres_config(const YamlDoc& doc, const YAML::Node& block);

class PostgresAdapter final : public Adapter {
 public:
  explicit PostgresAdapter(PostgresConfig config) : config_(std::move(config)) {}
  Result<std::unique_ptr<RowReader>> read(const ReadRequest& request) override;
  Result<std::vector<ColumnInfo>> describe() override;
  [[nodiscard]] bool resumes_by_key() const override { return true; }
  [[nodiscard]] std::string describe_target() const override {
    return config_.source.table.empty() ? "the query's result" : "table " + config_.source.table;
  }
  [[nodiscard]] std::vector<std::string> local_files() const override;
  [[nodiscard]] std::vector<std::string> environment() const override {
    return config_.password_env.empty() ? std::vector<std::string>{} : std::vector<std::string>{config_.password_env};
  }

 private:
  PostgresConfig config_;
};

class PostgresAdapterFactory final : public AdapterFactory {
 public:
  [[nodiscard]] std::string_view name() const override { return "postgres"; }
  Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const override;
};

}  // namespace yici::adapters::postgres
