// The HTTP request and response as handlers see them: plain values, no sockets, no Beast.
// net/ converts to and from the wire; api/ handlers are pure functions of (request) → response.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/access/principal.h"

namespace yici::api {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as sent: path and query
  std::string path;                                          // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string request_id;
  std::string
      route;  // set by the router: the matched pattern ("/v1/records/{dataset}/{subject}"), for logs and metrics
  access::PeerIdentity peer;
  // Set by the hub before routing; null without a certificate or when the CN maps to no principal.
  // Shares ownership of the policy snapshot it came from, so a policy reload mid-request is safe.
  std::shared_ptr<const access::Principal> principal;

  [[nodiscard]] const std::string* query_param(std::string_view name) const;
  [[nodiscard]] const std::string* header(std::string_view lowercase_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // Handlers may ask net/ to close the connection after this response.
  bool close = false;
};

// The one place HTTP errors are built: {"error":{"code":"snake_case","message":"…"}}.
Response error_response(int status, std::string_view code, std::string_view message);
Response json_response(int status, std::string body);

// Header values: HTTP's optional white space (spaces and tabs) off both ends, and ASCII
// case-insensitive comparison (media types, parameter names).
std::string_view trim_ows(std::string_view v);
bool iequals_ascii(std::string_view a, std::string_view b);
// Whether a Content-Type value names `type` ("application/json"), in any case, with or without
// parameters; a charset among them must be UTF-8 ("; charset=utf-8"): a body declared GBK would
// otherwise be read as UTF-8. False for no header.
bool media_type_is(const std::string* content_type, std::string_view type);

}  // namespace yici::api
