// GET /v1/admin/sources/{id}/quarantine: a source's rejected rows with the reasons, for the
// department to fix at source. Values of sensitive schema fields are masked (schema/mask.h).
#pragma once

#include <vector>

#include "hub/api/http.h"
#include "hub/ingest/source_definition.h"
#include "hub/schema/schema.h"
#include "hub/store/record_store.h"

namespace yici::api {

// `schema` may be null (the dataset has no schema loaded): then every value is masked.
Response quarantine_page(const ingest::SourceDefinition& source, const schema::Schema* schema,
                         const std::vector<store::QuarantineEntry>& entries, int limit);

// Parses ?limit= (1..1000, default 100) and ?after= (an entry id, default 0).
Result<std::pair<int, std::int64_t>> quarantine_paging(const Request& request);

}  // namespace yici::api
