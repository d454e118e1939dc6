#include "hub/api/http.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace yici::api {

const std::string* Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

const std::string* Request::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lowercase_name) return &v;
  }
  return nullptr;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  Response r;
  r.status = status;
  r.body = boost::json::serialize(outer);
  return r;
}

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace yici::api
