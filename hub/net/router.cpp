#include "hub/net/router.h"

namespace yici::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

bool Router::add(std::string method, const std::string& pattern, Access access, Handler handler) {
  std::vector<std::string> segments;
  for (auto s : split_path(pattern)) segments.emplace_back(s);
  for (const auto& r : routes_) {
    if (r.method == method && r.segments == segments) return false;
  }
  routes_.push_back(Route{std::move(method), pattern, std::move(segments), access, std::move(handler)});
  return true;
}

api::Response Router::dispatch(const api::Request& request, std::string* matched) const {
  const auto parts = split_path(request.path);
  // HEAD is GET without the body (RFC 9110 9.3.2): it runs the GET route, audited alike, and the
  // server leaves the body out. Load balancers and monitors probe with it.
  const std::string_view method = request.method == "HEAD" ? std::string_view("GET") : request.method;
  std::string allow;
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    PathParams params;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      if (is_param(route.segments[i])) {
        if (parts[i].empty())
          match = false;
        else
          params.emplace(route.segments[i].substr(1, route.segments[i].size() - 2), std::string(parts[i]));
      } else {
        match = route.segments[i] == parts[i];
      }
    }
    if (!match) continue;
    if (matched != nullptr) *matched = route.pattern;
    if (route.method != method) {
      const std::string allowed = route.method == "GET" ? "GET, HEAD" : route.method;
      if (allow.find(route.method) == std::string::npos) allow += allow.empty() ? allowed : ", " + allowed;
      continue;
    }
    if (route.access != Access::kOpen) {
      if (!request.peer.has_certificate) {
        return api::error_response(401, "client_certificate_required",
                                   "this endpoint needs a TLS client certificate issued by the hub's CA");
      }
      if (request.peer.certificate_refused) {
        auto refused = api::error_response(403, "certificate_refused", request.peer.problem);
        if (on_refusal_) on_refusal_(request, route.pattern, params, refused, "certificate_refused");
        return refused;
      }
      if (request.principal == nullptr) {
        auto refused = api::error_response(403, "unknown_principal",
                                           request.peer.problem.empty()
                                               ? "certificate CN \"" + request.peer.subject_cn +
                                                     "\" is not mapped to any principal in the access policy"
                                               : request.peer.problem);
        if (on_refusal_) on_refusal_(request, route.pattern, params, refused, "unknown_principal");
        return refused;
      }
      const auto kind = request.principal->kind;
      const bool allowed = route.access == Access::kAnyPrincipal ||
                           (route.access == Access::kDepartment && kind == access::PrincipalKind::kDepartment) ||
                           (route.access == Access::kAdmin && kind == access::PrincipalKind::kAdmin) ||
                           (route.access == Access::kAuditor && kind == access::PrincipalKind::kAuditor);
      if (!allowed) {
        const char* needed = route.access == Access::kDepartment ? "department"
                             : route.access == Access::kAdmin    ? "admin"
                                                                 : "auditor";
        auto refused = api::error_response(403, std::string(needed) + "_only",
                                           "this endpoint is for " + std::string(needed) + " principals; " +
                                               request.principal->id + " is " +
                                               std::string(access::kind_name(request.principal->kind)));
        if (on_refusal_) on_refusal_(request, route.pattern, params, refused, std::string(needed) + "_only");
        return refused;
      }
    }
    return route.handler(request, params);
  }
  if (!allow.empty()) {
    auto r = api::error_response(405, "method_not_allowed",
                                 request.method + " is not allowed on " + request.path + "; allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return api::error_response(404, "not_found", "no such endpoint: " + request.path);
}

}  // namespace yici::net
