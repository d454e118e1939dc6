// Type checks: turn one field's cleaned text into its canonical value, or say what is wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/schema/civil_date.h"
#include "hub/schema/field_value.h"
#include "hub/schema/schema.h"

namespace yici::schema {

struct CheckContext {
  CivilDate today;
  std::int64_t today_days = 0;
};

// Checks `cleaned` (trimmed, transformed, non-empty, valid UTF-8) against field `index` of
// `schema`; sets `out` (kind, text, ordinal) and appends any problems with their severity
// already resolved. Returns false when the value cannot be used (out.kind is then unset).
bool check_value(const Schema& schema, std::size_t index, std::string_view cleaned, const CheckContext& ctx,
                 FieldValue& out, std::vector<Problem>& problems);

}  // namespace yici::schema
