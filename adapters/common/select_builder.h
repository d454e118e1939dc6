// Builds the SELECT an SQL adapter runs for a ReadRequest, from a validated table name or query.
// Identifiers are validated and quoted; the cursor value is parameter 1 (the placeholder text is
// the dialect's: "?1" for SQLite, "$1" for PostgreSQL).
#pragma once

#include <string>

#include "adapters/adapter.h"
#include "hub/core/result.h"

namespace yici::adapters {

struct SelectSource {
  std::string table;  // validated table name, or empty
  std::string query;  // checked SELECT, or empty
};

Result<std::string> build_select(const SelectSource& source, const ReadRequest& request, const char* placeholder);

// The key columns' positions in request.columns; an error if one is missing.
Result<std::vector<int>> key_indices(const ReadRequest& request);

}  // namespace yici::adapters
