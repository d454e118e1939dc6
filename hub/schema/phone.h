// Chinese phone numbers: mobiles (1[3-9] and 9 digits) and landlines with an area code, with the
// spaces, dashes, brackets and +86 prefixes people type.
#pragma once

#include <string>
#include <string_view>

namespace yici::schema {

// Writes "13812345678" or "0571-87654321" into `out`; false when `text` is neither.
bool normalise_phone(std::string_view text, std::string& out);

}  // namespace yici::schema
