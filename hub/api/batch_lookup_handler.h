// POST /v1/lookups: {"purpose":P,"items":[{"dataset":D,"subject":S},…]} → one signed response with
// a status per item. Each item is decided, validated and rate-limited as a single lookup would be,
// and gets its own audit entry (consecutive indexes), so subject reports see every access.
#pragma once

#include "hub/api/http.h"
#include "hub/api/lookup_services.h"

namespace yici::api {

Response batch_lookup(const Request& request, LookupServices& services);

}  // namespace yici::api
