// The two ways a data request ends, shared by lookups, batches and bundles: a refusal that is
// audited before it is sent, and a 200 whose body is rendered with its audit index, audited, and
// signed over its exact bytes. Either way, if the audit log cannot record, the answer is 503.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/api/http.h"
#include "hub/api/lookup_services.h"

namespace yici::api {

AuditEvent audit_event_for(const Request& request, std::string_view action, std::string dataset, std::string subject,
                           std::string purpose);

Response audited_refusal(AuditSink& audit, AuditEvent event, int status, const std::string& code,
                         const std::string& message, std::vector<std::pair<std::string, std::string>> headers = {});

// True when the Accept header asks for application/jose (any case, q above 0).
bool accepts_jose(const Request& req);

// Signs an already-audited body: Accept: application/jose → the compact JWS is the body; otherwise
// the JSON body with X-Yici-Signature (detached JWS).
Response signed_response(const Request& request, ResponseSigner& signer, std::string body);

// `render(audit_index)` builds the body. Accept: application/jose → the compact JWS is the body;
// otherwise the JSON body with X-Yici-Signature (detached JWS).
Response audited_signed_ok(const Request& request, AuditSink& audit, ResponseSigner& signer, AuditEvent event,
                           const std::function<std::string(std::int64_t)>& render);

}  // namespace yici::api
