// How a stored record appears in a response: only the granted fields (in grant order), its status
// (only when the dataset's status field is among them), a content hash of the fields shown,
// provenance, and `stale` when its source has been failing too long. One place, so lookups,
// batches and bundles show records identically.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/api/lookup_services.h"
#include "hub/store/record_store.h"

namespace yici::api {

// The granted fields of a record's fields (a JSON object text), in grant order: what an answer
// shows of them. Empty when the text is not a JSON object.
boost::json::object shown_fields(std::string_view fields_json, const std::vector<std::string>& granted);

// Whether an answer shows a record's status: only to a department granted the dataset's status
// field (the status tells, say, whether a black-listing is in force).
bool status_shown(const std::string& dataset, const std::vector<std::string>& granted, const LookupServices& services);

// REQUIRES: record.version is the version this reader is shown (show_version in shown_version.h),
// not the stored one, which counts changes to fields the reader is not granted.
boost::json::object record_view(const store::Record& record, const std::vector<std::string>& fields,
                                const LookupServices& services);

}  // namespace yici::api
