// Liveness, readiness and identity: the endpoints an operator and a new department try first.
#pragma once

#include <string>
#include <vector>

#include "hub/api/http.h"

namespace yici::api {

// GET /healthz: the process is up and serving HTTP.
Response healthz();

// GET /readyz: 200 once config, stores and keys are loaded and the hub is not draining;
// 503 otherwise, listing what is not ready.
struct Readiness {
  bool config_loaded = false;
  bool stores_open = false;
  bool keys_loaded = false;
  bool draining = false;
  bool audit_writable = true;  // the latest audit commit succeeded (data requests answer 503 otherwise)
};
Response readyz(const Readiness& readiness);

// GET /v1/whoami: the caller's principal as the hub sees it.
// REQUIRES: request.principal != nullptr (the router enforces it).
Response whoami(const Request& request);

}  // namespace yici::api
