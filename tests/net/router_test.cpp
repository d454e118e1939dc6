#include "hub/net/router.h"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

namespace yici::net {
namespace {

api::Request make(std::string method, std::string path, bool cert = true, bool principal = true) {
  api::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.peer.has_certificate = cert;
  r.peer.subject_cn = "someone";
  if (principal) r.principal = std::make_shared<access::Principal>(access::Principal{"dept", {}, "Dept", "someone"});
  return r;
}

Router make_router() {
  Router router;
  REQUIRE(router.add("GET", "/healthz", Access::kOpen,
                     [](const api::Request&, const PathParams&) { return api::json_response(200, "{}"); }));
  REQUIRE(router.add("GET", "/v1/records/{dataset}/{subject}", Access::kAnyPrincipal,
                     [](const api::Request&, const PathParams& p) {
                       return api::json_response(200, p.at("dataset") + "|" + p.at("subject"));
                     }));
  REQUIRE(router.add("POST", "/v1/lookups", Access::kAnyPrincipal,
                     [](const api::Request&, const PathParams&) { return api::json_response(201, "{}"); }));
  return router;
}

std::string code(const api::Response& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

TEST_CASE("router: parameters are captured, open routes need no certificate") {
  Router router = make_router();
  CHECK(router.dispatch(make("GET", "/healthz", false, false)).status == 200);
  auto r = router.dispatch(make("GET", "/v1/records/population/11010519491231002X"));
  CHECK(r.status == 200);
  CHECK(r.body == "population|11010519491231002X");
}

TEST_CASE("router: 401 without certificate, 403 for an unmapped one, before the handler runs") {
  Router router = make_router();
  auto none = router.dispatch(make("POST", "/v1/lookups", false, false));
  CHECK(none.status == 401);
  CHECK(code(none) == "client_certificate_required");
  auto unmapped = router.dispatch(make("POST", "/v1/lookups", true, false));
  CHECK(unmapped.status == 403);
  CHECK(code(unmapped) == "unknown_principal");
  CHECK(unmapped.body.find("someone") != std::string::npos);
  auto ambiguous_request = make("POST", "/v1/lookups", true, false);
  ambiguous_request.peer.subject_cn.clear();
  ambiguous_request.peer.problem = "the certificate's subject has more than one CN";
  auto ambiguous = router.dispatch(ambiguous_request);
  CHECK(ambiguous.status == 403);
  CHECK(code(ambiguous) == "unknown_principal");
  CHECK(ambiguous.body.find("more than one CN") != std::string::npos);
}

TEST_CASE("router: 404 for unknown paths, 405 with Allow for known paths") {
  Router router = make_router();
  CHECK(router.dispatch(make("GET", "/v1/records/population")).status == 404);
  CHECK(router.dispatch(make("GET", "/v1/records/population/x/extra")).status == 404);
  CHECK(router.dispatch(make("GET", "/v1/records//x")).status == 404);  // empty parameter
  CHECK(router.dispatch(make("GET", "/")).status == 404);
  auto r = router.dispatch(make("GET", "/v1/lookups"));
  CHECK(r.status == 405);
  CHECK(code(r) == "method_not_allowed");
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "Allow");
  CHECK(r.headers[0].second == "POST");
}

TEST_CASE("router: HEAD runs the GET route, and Allow names HEAD beside GET") {
  Router router = make_router();
  std::string route;
  auto head = router.dispatch(make("HEAD", "/v1/records/population/11010519491231002X"), &route);
  CHECK(head.status == 200);
  CHECK(head.body == "population|11010519491231002X");  // the server leaves it out; the length is the GET's
  CHECK(route == "/v1/records/{dataset}/{subject}");
  CHECK(router.dispatch(make("HEAD", "/healthz", false, false)).status == 200);
  CHECK(router.dispatch(make("HEAD", "/v1/records/population", false, false)).status == 404);
  auto on_post = router.dispatch(make("HEAD", "/v1/lookups"));
  CHECK(on_post.status == 405);
  REQUIRE(on_post.headers.size() == 1);
  CHECK(on_post.headers[0].second == "POST");
  auto on_get = router.dispatch(make("DELETE", "/healthz", false, false));
  CHECK(on_get.status == 405);
  REQUIRE(on_get.headers.size() == 1);
  CHECK(on_get.headers[0].second == "GET, HEAD");
  // HEAD needs what GET needs: no certificate, no answer.
  CHECK(router.dispatch(make("HEAD", "/v1/records/population/11010519491231002X", false, false)).status == 401);
}

TEST_CASE("router: principal kinds gate admin, auditor and department routes") {
  Router router;
  REQUIRE(router.add("GET", "/v1/admin/sources", Access::kAdmin,
                     [](const api::Request&, const PathParams&) { return api::json_response(200, "{}"); }));
  auto as = [](access::PrincipalKind kind) {
    api::Request r = make("GET", "/v1/admin/sources");
    r.principal = std::make_shared<access::Principal>(access::Principal{"p", kind, "P", "someone"});
    return r;
  };
  CHECK(router.dispatch(as(access::PrincipalKind::kAdmin)).status == 200);
  auto dept = router.dispatch(as(access::PrincipalKind::kDepartment));
  CHECK(dept.status == 403);
  CHECK(code(dept) == "admin_only");
  CHECK(router.dispatch(as(access::PrincipalKind::kAuditor)).status == 403);
}

TEST_CASE("router: duplicate routes are refused") {
  Router router = make_router();
  CHECK_FALSE(router.add("GET", "/healthz", Access::kOpen, {}));
  CHECK(router.add("POST", "/healthz", Access::kOpen, {}));
}

}  // namespace
}  // namespace yici::net
