// GET /v1/matters (the catalogue) and GET /v1/matters/{matter}/materials?applicant=… (the signed
// bundle: for each material, satisfied from shared records or still to be brought, and why).
#pragma once

#include <string>

#include "hub/api/http.h"
#include "hub/api/lookup_services.h"
#include "hub/matter/matter.h"

namespace yici::api {

Response list_matters(const matter::MatterCatalog& catalog);

Response matter_bundle(const Request& request, const std::string& code, const matter::MatterCatalog& catalog,
                       LookupServices& services);

}  // namespace yici::api
