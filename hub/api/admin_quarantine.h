// GET /v1/admin/sources/{id}/quarantine (administrators) and GET /v1/sources/{id}/quarantine
// (administrators and the source's own department): a source's rejected rows with the reasons,
// for the department to fix at source. Values of sensitive schema fields are masked
// (schema/mask.h).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>

#include "hub/api/http.h"
#include "hub/ingest/source_definition.h"
#include "hub/schema/schema.h"
#include "hub/store/record_store.h"

namespace yici::api {

// The quarantine by reason as JSON: [{"field" (null for a row-level problem), "code", "rows"}].
boost::json::array quarantine_reasons_json(const std::vector<store::QuarantineReason>& reasons);

// What every page carries besides its entries: how many rows the source has in quarantine, and
// the commonest reasons (a row with two problems is under each), so a department sees at once
// what to fix first.
struct QuarantineSummary {
  std::int64_t total = 0;
  std::vector<store::QuarantineReason> by_reason;
};

// `schema` may be null (the dataset has no schema loaded): then every value is masked. The next
// page's link is on `path`, the path the page was asked on.
Response quarantine_page(const ingest::SourceDefinition& source, const schema::Schema* schema,
                         const std::vector<store::QuarantineEntry>& entries, const QuarantineSummary& summary,
                         int limit, std::string_view path);

// Parses ?limit= (1..1000, default 100) and ?after= (an entry id, default 0).
Result<std::pair<int, std::int64_t>> quarantine_paging(const Request& request);

}  // namespace yici::api
