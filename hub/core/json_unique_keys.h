// JSON whose objects name each member once. Boost.JSON keeps the last of two members with one
// name, as many parsers do, and others keep the first: a request {"purpose":A,"purpose":B} would
// then mean one thing to the department's library and another to the hub. Refused instead, as two
// `purpose` parameters in a query are.
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "hub/core/result.h"

namespace yici {

// The value of `text` (RFC 8259, nothing after it), or an error naming the parse problem, or
// the first member name an object repeats: `"purpose" appears twice in one object`.
Result<boost::json::value> parse_json_unique_keys(std::string_view text);

}  // namespace yici
