// The query parameters a route takes: anything else, or one given twice, is refused (400
// bad_parameter) rather than ignored, so that a misspelt filter never answers as if it were absent
// and `a=1&a=2` never silently means the first.
#pragma once

#include <initializer_list>
#include <string_view>

#include "hub/api/http.h"
#include "hub/core/result.h"

namespace yici::api {

// Error::invalid naming the parameter (and the known ones) when the query has one not in `known`
// or one given more than once.
Status check_query_params(const Request& request, std::initializer_list<std::string_view> known);

}  // namespace yici::api
