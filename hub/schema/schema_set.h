// The hub's schemas: every *.yaml in schemas_dir, compiled once at start, found by dataset name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hub/schema/schema.h"

namespace yici::schema {

struct SchemaSet {
  std::map<std::string, std::shared_ptr<const Schema>, std::less<>> by_dataset;
  std::vector<std::string> problems;  // "file:line: message"; a file with problems is not loaded

  // Loads a directory; a missing directory is a problem, a bad file is skipped (and listed).
  static SchemaSet load_dir(const std::string& dir);

  [[nodiscard]] std::shared_ptr<const Schema> find(std::string_view dataset) const;
};

}  // namespace yici::schema
