// Loading the access policy as the hub uses it: parsed, `matter:` grants expanded through the
// matter catalogue, and every grant checked against the schemas (a dataset without a schema or a
// field the schema does not have is an error with the grant's line). Used at start and on reload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hub/access/policy.h"
#include "hub/core/result.h"
#include "hub/matter/matter.h"
#include "hub/schema/schema_set.h"

namespace yici {

// Every material's dataset, fields and condition values must exist in the schemas (a condition on
// an enum field must name one of its codes), so a typo cannot make a bundle silently wrong.
Status check_matters(const matter::MatterCatalog& matters, const schema::SchemaSet& schemas);

// Grants for a purpose that is no matter are allowed (a department may be granted before its
// matter is written) but likely a typo: each is logged, and added to `warnings` when given.
Result<std::shared_ptr<const access::Policy>> load_policy(const std::string& path, const matter::MatterCatalog& matters,
                                                          const schema::SchemaSet& schemas,
                                                          std::vector<std::string>* warnings = nullptr);

}  // namespace yici
