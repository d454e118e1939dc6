// Who is calling: a principal is a department, an administrator or an auditor, identified by the
// common name of its TLS client certificate (see policy.yaml).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yici::access {

enum class PrincipalKind { kDepartment, kAdmin, kAuditor };

std::string_view kind_name(PrincipalKind kind);
std::optional<PrincipalKind> parse_kind(std::string_view text);

struct Principal {
  std::string id;  // stable id used in grants, audit entries and logs
  PrincipalKind kind = PrincipalKind::kDepartment;
  std::string name;     // display name, e.g. 市场监督管理局
  std::string cert_cn;  // the client certificate's subject CN that maps to this principal
};

// What the TLS layer learned about the peer. Filled by net/, read by api/.
struct PeerIdentity {
  bool has_certificate = false;    // a certificate was presented and verified against client_ca
  std::string subject_cn;          // empty when `problem` is set
  std::string fingerprint_sha256;  // lowercase hex of the DER certificate's SHA-256
  std::string problem;             // why the certificate maps to no principal whatever the policy says
  // The certificate verified when the connection began but not when checked again (revoked by a
  // CRL loaded since, expired since): refused whatever its CN, which maps to no principal
  // (net/peer_recheck.h); audit entries of the refusal name the principal it would have been.
  bool certificate_refused = false;
};

}  // namespace yici::access
