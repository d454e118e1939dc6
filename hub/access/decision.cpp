#include "hub/access/decision.h"

#include <algorithm>

namespace yici::access {
namespace {

// A requester's purpose as a refusal shows it: at most 64 bytes, cut at a character boundary (a
// 3,000-character purpose was echoed back whole; the audit entry keeps what it keeps).
std::string shown_purpose(std::string_view purpose) {
  constexpr std::size_t kShown = 64;
  if (purpose.size() <= kShown) return std::string(purpose);
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(purpose[cut]) & 0xC0) == 0x80) --cut;
  return std::string(purpose.substr(0, cut)) + "… (" + std::to_string(purpose.size()) + " bytes)";
}

}  // namespace

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
    d.message = principal.id + " may not read " + std::string(dataset) + " for purpose " + shown_purpose(purpose);
  }
  return d;
}

}  // namespace yici::access
