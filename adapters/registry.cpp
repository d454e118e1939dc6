#include "adapters/registry.h"

#include "adapters/csv/csv_adapter.h"
#include "adapters/postgres/postgres_adapter.h"
#include "adapters/rest/rest_adapter.h"
#include "adapters/sqlite/sqlite_adapter.h"

namespace yici::adapters {

Status AdapterRegistry::add(std::unique_ptr<AdapterFactory> factory) {
  std::string name(factory->name());
  if (factories_.count(name)) return Error{ErrorCode::kAlreadyExists, "adapter \"" + name + "\" registered twice"};
  factories_.emplace(std::move(name), std::move(factory));
  return {};
}

const AdapterFactory* AdapterRegistry::find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> AdapterRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

Result<std::unique_ptr<Adapter>> AdapterRegistry::create(const YamlDoc& doc, const YAML::Node& block) const {
  if (!block.IsDefined() || !block.IsMap()) return doc.error_at(block, "adapter must be a mapping with a \"type\"");
  YICI_TRY(auto type, doc.required_string(block, "type"));
  const AdapterFactory* factory = find(type);
  if (factory == nullptr) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    return doc.error_at(block["type"], "unknown adapter type \"" + type + "\" (known: " + known + ")");
  }
  return factory->create(doc, block);
}

void register_builtin_adapters(AdapterRegistry& registry) {
  // Each add() succeeds: the names are distinct. A failure here is a programming error.
  (void)registry.add(std::make_unique<sqlite::SqliteAdapterFactory>());
  (void)registry.add(std::make_unique<postgres::PostgresAdapterFactory>());
  (void)registry.add(std::make_unique<rest::RestAdapterFactory>());
  (void)registry.add(std::make_unique<csv::CsvAdapterFactory>());
}

}  // namespace yici::adapters
