#include "hub/api/status_handlers.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "hub/core/version.h"

namespace yici::api {

Response healthz() { return json_response(200, std::string(R"({"status":"ok","version":")") + version() + R"("})"); }

Response readyz(const Readiness& r) {
  boost::json::object checks;
  checks["config"] = r.config_loaded;
  checks["stores"] = r.stores_open;
  checks["keys"] = r.keys_loaded;
  checks["accepting"] = !r.draining;
  checks["audit"] = r.audit_writable;
  const bool ready = r.config_loaded && r.stores_open && r.keys_loaded && !r.draining && r.audit_writable;
  boost::json::object body;
  body["ready"] = ready;
  body["checks"] = std::move(checks);
  return json_response(ready ? 200 : 503, boost::json::serialize(body));
}

Response whoami(const Request& request) {
  const access::Principal& p = *request.principal;
  boost::json::object cert;
  cert["subject_cn"] = request.peer.subject_cn;
  cert["fingerprint_sha256"] = request.peer.fingerprint_sha256;
  boost::json::object body;
  body["principal"] = p.id;
  body["kind"] = access::kind_name(p.kind);
  body["name"] = p.name;
  body["certificate"] = std::move(cert);
  body["request_id"] = request.request_id;
  return json_response(200, boost::json::serialize(body));
}

}  // namespace yici::api
