// Builds the SELECT an SQL adapter runs for a ReadRequest, from a validated table name or query.
// Identifiers are validated and quoted; values are parameters, numbered from 1 with the dialect's
// placeholder ('?' for SQLite, '$' for PostgreSQL): the cursor value (incremental mode), or the
// key parts a resumed full read starts after, one per primary key column, in key order.
#pragma once

#include <string>

#include "adapters/adapter.h"
#include "adapters/common/resume_token.h"
#include "hub/core/result.h"

namespace yici::adapters {

struct SelectSource {
  std::string table;  // validated table name, or empty
  std::string query;  // checked SELECT, or empty
};

Result<std::string> build_select(const SelectSource& source, const ReadRequest& request, char placeholder);

// The cursor value as a parameter: an integer in canonical form ("1000", not "01000" or "+1000") is
// bound as an integer, anything else as text. SQLite orders an INTEGER before every TEXT value,
// so an integer cursor bound as text matched no row of a column without numeric affinity, and
// incremental pulls read nothing for ever; a column with TEXT affinity converts the integer back
// to the same text, so it compares as before.
KeyPart cursor_parameter(const std::string& cursor);

// The key columns' positions in request.columns; an error if one is missing.
Result<std::vector<int>> key_indices(const ReadRequest& request);

}  // namespace yici::adapters
