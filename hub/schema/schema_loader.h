// Reads a schema file into a compiled Schema, or lists every problem with it as
// "file:line: message" (unknown keys, wrong types, duplicate fields, unknown code lists, rules
// naming missing fields, patterns that do not compile). `yici-ctl schema check` prints the list;
// the hub refuses a schema with any problem.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hub/core/yaml_reader.h"
#include "hub/schema/schema.h"

namespace yici::schema {

struct SchemaLoad {
  std::unique_ptr<Schema> schema;     // null when there are problems
  std::vector<std::string> problems;  // "file:line: message", in file order
};

SchemaLoad load_schema(const YamlDoc& doc);
SchemaLoad load_schema_file(const std::string& path);

}  // namespace yici::schema
