// The version of a record a reader is shown. The store counts every change to a record, so its
// version rose when a field the reader is not granted changed, or the status it is not shown: a
// department granted a person's name saw the version move when the address changed, one granted a
// company's name saw it move when a black-listing was lifted. The shown version counts only the
// changes to what this reader sees: 1 plus the number of times the granted fields (as the answer
// writes them) or, where it is shown, the status differ from the version before, over the versions
// the history keeps. The store keeps with each version the fields its successor changed
// (store/changed_fields.h), so a lookup reads names, not every earlier version's fields.
#pragma once

#include <string>
#include <vector>

#include "hub/api/lookup_services.h"
#include "hub/core/result.h"
#include "hub/store/record_store.h"

namespace yici::api {

// Replaces record.version with the version shown to a reader granted `granted`. A record of
// version 1 costs nothing; a later one, one read of its history. An error is the store's.
Status show_version(store::Record& record, const std::vector<std::string>& granted, const LookupServices& services);

// show_version for each record.
Status show_versions(std::vector<store::Record>& records, const std::vector<std::string>& granted,
                     const LookupServices& services);

}  // namespace yici::api
