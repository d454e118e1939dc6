#include "hub/access/decision.h"

#include <algorithm>

#include "hub/core/utf8.h"

namespace yici::access {

Decision decide(const Policy& policy, const Principal& principal, std::string_view dataset, std::string_view purpose) {
  Decision d;
  if (principal.kind != PrincipalKind::kDepartment) {
    d.code = "not_a_department";
    d.message =
        "records are read by department systems; " + principal.id + " is " + std::string(kind_name(principal.kind));
    return d;
  }
  if (purpose.empty()) {
    d.code = "purpose_required";
    d.message = "state the matter (purpose) this lookup serves, e.g. ?purpose=food-business-license";
    return d;
  }
  bool dataset_granted = false;
  for (const Grant& g : policy.grants()) {
    if (g.principal != principal.id || g.dataset != dataset) continue;
    dataset_granted = true;
    if (std::find(g.purposes.begin(), g.purposes.end(), purpose) == g.purposes.end()) continue;
    d.allowed = true;
    for (const auto& f : g.fields) {
      if (std::find(d.fields.begin(), d.fields.end(), f) == d.fields.end()) d.fields.push_back(f);
    }
    if (g.rate.per_second > 0 && (d.rate.per_second == 0 || g.rate.per_second < d.rate.per_second)) d.rate = g.rate;
  }
  if (d.allowed) {
    d.http_status = 200;
    return d;
  }
  if (!dataset_granted) {
    d.code = "dataset_not_granted";
    d.message = principal.id + " has no grant for dataset " + std::string(dataset);
  } else {
    d.code = "purpose_not_granted";
    d.message = principal.id + " may not read " + std::string(dataset) + " for purpose " +
                bounded_utf8(purpose, 64);  // a 3,000-character purpose was echoed back whole
  }
  return d;
}

}  // namespace yici::access
