// GET /v1/records/{dataset}/{subject}?purpose=…: a department's lookup of one subject.
//
// Order of checks: dataset known (404) → purpose and grant (403) → subject well-formed (400) →
// rate (429) → records (404 when none). Every outcome is audited before the response exists; the
// 200 body carries only granted fields with provenance, and is signed over its exact bytes.
#pragma once

#include <string>

#include "hub/api/http.h"
#include "hub/api/lookup_services.h"

namespace yici::api {

Response lookup_records(const Request& request, const std::string& dataset, const std::string& subject,
                        LookupServices& services);

// SHA-256 (hex) binding a response to its request line and requester, and to its body when it
// has one (a batch's items): sha256("<METHOD> <target>\n<principal id>"), or with a body
// sha256("<METHOD> <target>\n<principal id>\n<sha256 hex of the body>").
std::string request_digest(const Request& request);

}  // namespace yici::api
