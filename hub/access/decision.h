// Access decisions: may this principal read this dataset for this purpose, and which fields?
// Default deny. A purpose (matter code) is required; the granted fields are the union over every
// grant of the principal for the dataset that lists the purpose.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/access/policy.h"

namespace yici::access {

struct Decision {
  bool allowed = false;
  int http_status = 403;
  std::string code;                 // snake_case reason when refused: purpose_required, dataset_not_granted, ...
  std::string message;              // for the caller
  std::vector<std::string> fields;  // allowed: the granted fields, in first-grant order
  RateLimit rate;                   // allowed: the strictest rate among the matching grants (0 = none)
};

Decision decide(const Policy& policy, const Principal& principal, std::string_view dataset, std::string_view purpose);

}  // namespace yici::access
