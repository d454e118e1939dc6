#include "hub/api/http.h"

#include <algorithm>
#include <cctype>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "hub/core/utf8.h"

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
  inner["message"] = valid_utf8(std::string(message));  // may quote a department's bytes: a header, a driver's message
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

std::string_view trim_ows(std::string_view v) {
  const auto first = v.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return v.substr(first, v.find_last_not_of(" \t") - first + 1);
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool media_type_is(const std::string* content_type, std::string_view type) {
  if (content_type == nullptr) return false;
  std::string_view value(*content_type);
  std::size_t semi = value.find(';');
  if (!iequals_ascii(trim_ows(value.substr(0, semi)), type)) return false;
  while (semi != std::string_view::npos) {
    value.remove_prefix(semi + 1);
    semi = value.find(';');
    const std::string_view parameter = value.substr(0, semi);
    const std::size_t eq = parameter.find('=');
    if (eq == std::string_view::npos || !iequals_ascii(trim_ows(parameter.substr(0, eq)), "charset")) continue;
    std::string_view charset = trim_ows(parameter.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"')
      charset = charset.substr(1, charset.size() - 2);
    if (!iequals_ascii(charset, "utf-8") && !iequals_ascii(charset, "utf8")) return false;
  }
  return true;
}

}  // namespace yici::api
