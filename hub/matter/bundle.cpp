#include "hub/matter/bundle.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace yici::matter {

bool matches(const store::Record& record, const std::vector<Condition>& conditions) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(record.fields_json, ec);
  if (ec || !parsed.is_object()) return false;
  const auto& fields = parsed.as_object();
  for (const auto& c : conditions) {
    std::string value;
    if (const auto* v = fields.if_contains(c.field); v != nullptr && v->is_string()) {
      value = std::string(v->as_string());
    } else if (v != nullptr && !v->is_null()) {
      value = boost::json::serialize(*v);
    } else if (c.field == "status") {
      value = record.status;
    } else {
      return false;
    }
    if (std::find(c.any_of.begin(), c.any_of.end(), value) == c.any_of.end()) return false;
  }
  return true;
}

}  // namespace yici::matter
