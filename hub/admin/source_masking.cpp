#include "hub/admin/source_masking.h"

#include "hub/schema/mask.h"

namespace yici::admin {

std::set<std::string> sensitive_columns(const ingest::SourceDefinition& source, const schema::Schema* schema) {
  std::set<std::string> out;
  for (const auto& [field, column] : source.mapping) {
    if (schema == nullptr) {
      out.insert(column);
      continue;
    }
    if (auto i = schema->field_index(field); i && schema->fields[*i].sensitive) out.insert(column);
  }
  return out;
}

std::set<std::string> all_columns(const std::vector<std::string>& columns) { return {columns.begin(), columns.end()}; }

boost::json::object masked_row(const std::vector<std::string>& columns,
                               const std::vector<std::optional<std::string>>& values,
                               const std::set<std::string>& sensitive) {
  boost::json::object o;
  for (std::size_t i = 0; i < columns.size() && i < values.size(); ++i) {
    if (!values[i]) {
      o[columns[i]] = nullptr;
    } else if (sensitive.count(columns[i]) != 0) {
      o[columns[i]] = schema::mask_value(*values[i]);
    } else {
      o[columns[i]] = *values[i];
    }
  }
  return o;
}

}  // namespace yici::admin
