// Builds the SELECT an SQL adapter runs for a ReadRequest, from a validated table name or query.
// Identifiers are validated and quoted; values are parameters, numbered from 1 with the dialect's
// placeholder ('?' for SQLite, '$' for PostgreSQL): the cursor value (incremental mode), or the
// key parts a resumed full read starts after, one per primary key column, in key order.
#pragma once

#include <string>
#include <string_view>

#include "adapters/adapter.h"
#include "adapters/common/resume_token.h"
#include "hub/core/result.h"

namespace yici::adapters {

struct SelectSource {
  std::string table;  // validated table name, or empty
  std::string query;  // checked SELECT, or empty
};

// `text_cursor`: the cursor column holds text (PostgreSQL text/varchar/char, SQLite TEXT affinity),
// which compares "100" before "99": a version or sequence number kept as text lost every row
// once the numbers grew a digit. Values of digits only are then ordered by length first, and a
// cursor that is a counting number ("99") compared so, which is number order, as cursor_less in
// the pull job has it; other values (timestamps) compare and sort as text, as before.
Result<std::string> build_select(const SelectSource& source, const ReadRequest& request, char placeholder,
                                 bool text_cursor = false);

// The FROM operand: the quoted table, or the query as a subquery named yici_src. Both must have
// been validated (the config parsers do).
std::string from_clause(const SelectSource& source);

// A non-negative integer without leading zeros ("0", "99", "100"): text of such numbers orders
// like the numbers when compared by length first.
bool is_counting_number(std::string_view text);

// The cursor value as a parameter: an integer in canonical form ("1000", not "01000" or "+1000") is
// bound as an integer, anything else as text. SQLite orders an INTEGER before every TEXT value,
// so an integer cursor bound as text matched no row of a column without numeric affinity, and
// incremental pulls read nothing for ever; a column with TEXT affinity converts the integer back
// to the same text, so it compares as before.
KeyPart cursor_parameter(const std::string& cursor);

// The key columns' positions in request.columns; an error if one is missing.
Result<std::vector<int>> key_indices(const ReadRequest& request);

}  // namespace yici::adapters
