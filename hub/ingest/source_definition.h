// A source definition: one department table (or export, or service) feeding one dataset, as
// written in config/sources/<id>.yaml or posted to the admin API (format in CONTRACT.md):
//
//   id: hz-psb-population            # [a-z0-9-]+, unique
//   department: public-security      # the owning department's principal id
//   dataset: population
//   adapter: {type: sqlite, path: /srv/psb/person.db, table: person}
//   primary_key: [sfzh]
//   cursor: {column: gxsj, overlap: 10m}   # omit for a full refresh on every pull
//                                          # zone: +08:00 (default): of values without one
//   mapping: {id_number: sfzh, name: xm}    # schema field: source column
//   status: {column: zt, withdrawn: ["注销", "迁出"]}   # optional soft-delete column
//   schedule: {every: 5m, jitter: 30s}
//   reconcile: {every: 24h, max_withdraw: 10%}   # optional: full key scan marking vanished rows
//                                    # withdrawn; refused when more would go (see reconcile.h)
//   enabled: true
//
// Parsing checks shape, identifiers and the adapter block; checks against the dataset's schema
// (fields exist, required fields mapped) happen where schemas are loaded.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/registry.h"
#include "hub/core/result.h"

namespace yici::ingest {

struct CursorSpec {
  std::string column;
  std::chrono::milliseconds overlap{0};
  std::chrono::minutes zone{8 * 60};  // minutes east of UTC of timestamps that carry no zone
  bool operator==(const CursorSpec&) const = default;
};

struct StatusSpec {
  std::string column;
  std::vector<std::string> withdrawn_values;  // source values meaning "this record no longer exists"
  bool operator==(const StatusSpec&) const = default;
};

struct SourceDefinition {
  std::string id;
  std::string department;
  std::string dataset;
  std::string adapter_type;
  std::vector<std::string> primary_key;
  std::optional<CursorSpec> cursor;
  std::vector<std::pair<std::string, std::string>> mapping;  // schema field → source column, file order
  std::optional<StatusSpec> status;
  std::chrono::milliseconds every{5 * 60 * 1000};
  std::chrono::milliseconds jitter{0};
  std::chrono::milliseconds reconcile_every{0};  // 0: never
  double reconcile_max_withdraw = 0.1;           // fraction of the source's current records; 1: no limit
  bool enabled = true;
  std::string origin;               // file path or "request body"
  std::string adapter_config_json;  // the adapter block as JSON (scalars as strings); holds no secret values
  std::shared_ptr<adapters::Adapter> adapter;

  // The source columns a pull reads: mapped columns, key, cursor and status, each once.
  [[nodiscard]] std::vector<std::string> columns_to_read() const;
};

// The definition, or an error naming each of its problems (the first one's path, the messages
// joined by "; "). Its parts (id, department, dataset, adapter, primary_key, cursor, each mapping
// entry, status, schedule, reconcile, enabled) are each read even when one before failed;
// `all_problems`, when given, gets the problems one by one, each with its own path.
Result<SourceDefinition> parse_source_definition(const YamlDoc& doc, const adapters::AdapterRegistry& registry,
                                                 std::vector<Error>* all_problems = nullptr);

bool is_valid_source_id(std::string_view id);

// Whether two definitions say the same thing, their file included (the adapter object aside:
// its configuration is compared through adapter_config_json).
bool same_definition(const SourceDefinition& a, const SourceDefinition& b);

}  // namespace yici::ingest
