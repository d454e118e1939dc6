// Checks a lookup's subject against its dataset's subject field before any store access: the
// same checks the normaliser applies to that field (checksums, formats), and the canonical form.
#pragma once

#include <string>
#include <string_view>

#include "hub/core/result.h"
#include "hub/schema/schema.h"

namespace yici::schema {

// OK when `subject` is a valid subject of `schema` written in its canonical form (as stored).
// Otherwise an error whose message names the problem; a valid subject in another form (a
// lower-case x, a 15-digit ID) is refused with its canonical form in the message.
Status check_subject(const Schema& schema, std::string_view subject);

// The canonical form of a valid subject of `schema`, in whatever form it is written (a lower-case
// x, full-width digits, a 15-digit ID); an error naming the problem when it is not valid.
Result<std::string> canonical_subject(const Schema& schema, std::string_view subject);

}  // namespace yici::schema
