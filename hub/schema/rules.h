// Cross-field rules: run after every field has its canonical value. A rule is skipped when one of
// its fields is absent or already failed, so a row gets one precise error, not a cascade.
#pragma once

#include <vector>

#include "hub/schema/field_check.h"
#include "hub/schema/field_value.h"
#include "hub/schema/schema.h"

namespace yici::schema {

void apply_rules(const Schema& schema, const CheckContext& ctx, std::vector<FieldValue>& values,
                 std::vector<Problem>& problems);

}  // namespace yici::schema
