// How a stored record appears in a response: only the granted fields (in grant order), its status
// (only when the dataset's status field is among them), a content hash of the fields shown,
// provenance, and `stale` when its source has been failing too long. One place, so lookups,
// batches and bundles show records identically.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/api/lookup_services.h"
#include "hub/store/record_store.h"

namespace yici::api {

boost::json::object record_view(const store::Record& record, const std::vector<std::string>& fields,
                                const LookupServices& services);

}  // namespace yici::api
