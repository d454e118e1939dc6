#include "hub/access/principal.h"

namespace yici::access {

std::string_view kind_name(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kDepartment:
      return "department";
    case PrincipalKind::kAdmin:
      return "admin";
    case PrincipalKind::kAuditor:
      return "auditor";
  }
  return "department";
}

std::optional<PrincipalKind> parse_kind(std::string_view text) {
  if (text == "department") return PrincipalKind::kDepartment;
  if (text == "admin") return PrincipalKind::kAdmin;
  if (text == "auditor") return PrincipalKind::kAuditor;
  return std::nullopt;
}

}  // namespace yici::access
