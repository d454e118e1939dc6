// Builds the SELECT an SQL adapter runs for a ReadRequest, from a validated table name or query.
// Identifiers are validated and quoted; values are parameters, numbered from 1 with the dialect's
// placeholder ('?' for SQLite, '$' for PostgreSQL): the cursor value (incremental mode), or the
// key parts a resumed full read starts after, one per primary key column, in key order.
#pragma once

#include <string>

#include "adapters/adapter.h"
#include "hub/core/result.h"

namespace yici::adapters {

struct SelectSource {
  std::string table;  // validated table name, or empty
  std::string query;  // checked SELECT, or empty
};

Result<std::string> build_select(const SelectSource& source, const ReadRequest& request, char placeholder);

// The key columns' positions in request.columns; an error if one is missing.
Result<std::vector<int>> key_indices(const ReadRequest& request);

}  // namespace yici::adapters
