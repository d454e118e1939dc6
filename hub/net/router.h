// Routes (method, path) to handlers. Patterns are literal segments and {param} segments:
// "/v1/records/{dataset}/{subject}". An unknown path is 404, a known path with another method 405
// (with Allow). HEAD runs the GET route; the server drops the body. Pure: no sockets, so it is tested without a
// network.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/api/http.h"

namespace yici::net {

using PathParams = std::unordered_map<std::string, std::string>;
using Handler = std::function<api::Response(const api::Request&, const PathParams&)>;

// Who may call a route. Checked before the handler runs.
enum class Access {
  kOpen,          // no certificate needed (health, JWKS)
  kAnyPrincipal,  // a certificate that maps to a principal
  kDepartment,    // ... of kind department
  kAdmin,         // ... of kind admin
  kAuditor,       // ... of kind auditor
};

class Router {
 public:
  // Duplicate (method, pattern) pairs are a programming error: reported by returning false.
  bool add(std::string method, const std::string& pattern, Access access, Handler handler);

  // `route`, when given, receives the matched pattern (also for 405), or stays empty.
  [[nodiscard]] api::Response dispatch(const api::Request& request, std::string* route = nullptr) const;

  // Called for a request refused here with 403 (a certificate whose CN maps to no principal, or a
  // principal of the wrong kind), with the route's pattern and parameters and the refusal, before
  // it is returned: the hub audits refused attempts at data as it audits those its handlers refuse.
  using RefusalHook = std::function<void(const api::Request&, const std::string& pattern, const PathParams&,
                                         const api::Response& refusal, const std::string& code)>;
  void on_refusal(RefusalHook hook) { on_refusal_ = std::move(hook); }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
  RefusalHook on_refusal_;
};

}  // namespace yici::net
