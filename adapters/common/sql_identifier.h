// Validation and quoting of SQL identifiers and queries that come from source definitions.
// Values are always bound parameters; identifiers cannot be, so they are checked against a strict
// pattern and then double-quoted.
#pragma once

#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::adapters {

// [A-Za-z_][A-Za-z0-9_]{0,62}, optionally "schema.name" for tables. Non-ASCII (pinyin column
// names are ASCII; Chinese column names must be aliased in a query) is refused.
bool is_safe_identifier(std::string_view name);
bool is_safe_table_name(std::string_view name);

// "name" with the identifier quoted ("schema"."table" for qualified names).
// REQUIRES: is_safe_identifier / is_safe_table_name.
std::string quote_identifier(std::string_view name);
std::string quote_table_name(std::string_view name);

// A query from config must be one read-only statement: starts with SELECT or WITH, no `;` except
// one at the end, no comments (which could hide a second statement). Returns it without the `;`.
Result<std::string> check_select_query(std::string_view query);

}  // namespace yici::adapters
