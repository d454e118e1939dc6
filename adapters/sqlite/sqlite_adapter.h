// The sqlite adapter: reads a department's SQLite database file, opened read-only, from a table
// or a SELECT query. Config (the source's `adapter:` block):
//   type: sqlite
//   path: /srv/psb/person.db
//   table: person            # or
//   query: "SELECT ... FROM ..."
#pragma once

#include <memory>
#include <string>

#include "adapters/adapter.h"
#include "adapters/common/select_builder.h"
#include "adapters/registry.h"

namespace yici::adapters::sqlite {

struct SqliteConfig {
  std::string path;
  SelectSource source;
};

// Parses and validates the block. Errors carry file:line.
Result<SqliteConfig> parse_sqlite_config(const YamlDoc& doc, const YAML::Node& block);

class SqliteAdapter final : public Adapter {
 public:
  explicit SqliteAdapter(SqliteConfig config) : config_(std::move(config)) {}
  Result<std::unique_ptr<RowReader>> read(const ReadRequest& request) override;
  Result<std::vector<ColumnInfo>> describe() override;
  [[nodiscard]] bool resumes_by_key() const override { return true; }
  [[nodiscard]] std::string describe_target() const override {
    return config_.source.table.empty() ? "the query's result" : "table " + config_.source.table;
  }
  [[nodiscard]] std::vector<std::string> local_files() const override { return {config_.path}; }

 private:
  SqliteConfig config_;
};

class SqliteAdapterFactory final : public AdapterFactory {
 public:
  [[nodiscard]] std::string_view name() const override { return "sqlite"; }
  Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const override;
};

}  // namespace yici::adapters::sqlite
