// The adapter registry: an object (not a global) mapping an adapter type name ("sqlite",
// "postgres", ...) to the factory that parses its typed config and creates it. Built-in adapters
// are registered explicitly by register_builtin_adapters(); duplicates are refused.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "adapters/adapter.h"
#include "hub/core/result.h"
#include "hub/core/yaml_reader.h"

namespace yici::adapters {

class AdapterFactory {
 public:
  virtual ~AdapterFactory() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Parses and validates the source's `adapter:` block (whose `type` selected this factory) and
  // creates the adapter. Errors name the file and line of the offending key. Nothing is connected
  // yet: connection problems surface on read()/describe().
  virtual Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const = 0;
};

class AdapterRegistry {
 public:
  Status add(std::unique_ptr<AdapterFactory> factory);
  [[nodiscard]] const AdapterFactory* find(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;

  // Reads `type` from the block and dispatches to its factory.
  Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const;

 private:
  std::map<std::string, std::unique_ptr<AdapterFactory>, std::less<>> factories_;
};

// The one place that lists the adapters built into this binary.
void register_builtin_adapters(AdapterRegistry& registry);

}  // namespace yici::adapters
