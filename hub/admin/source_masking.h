// Which of a source's columns carry sensitive schema fields, and a source row with those masked
// (schema/mask.h): for quarantine listings and quality previews shown to administrators.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/ingest/source_definition.h"
#include "hub/schema/schema.h"

namespace yici::admin {

// Source columns mapped to a sensitive field; with no schema (null) every mapped column.
std::set<std::string> sensitive_columns(const ingest::SourceDefinition& source, const schema::Schema* schema);

// Every column: for a row whose values may sit in the wrong columns (a CSV line with more or fewer
// fields than its header), where a sensitive value can be anywhere.
std::set<std::string> all_columns(const std::vector<std::string>& columns);

// {"column": value, ...} with the sensitive columns' values masked; NULL as null.
boost::json::object masked_row(const std::vector<std::string>& columns,
                               const std::vector<std::optional<std::string>>& values,
                               const std::set<std::string>& sensitive);

}  // namespace yici::admin
