#include "hub/store/changed_fields.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/schema/schema.h"

namespace yici::store {
namespace {

boost::json::object fields_of(std::string_view json) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_object()) return {};
  return std::move(parsed.as_object());
}

// Whether two values are written alike in an answer. Most values are strings, compared as they
// are; anything else as serialized (1 and 1.0 differ, and an object's member order counts).
bool written_alike(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
  return boost::json::serialize(a) == boost::json::serialize(b);
}

}  // namespace

std::string changed_fields(std::string_view before_json, std::string_view after_json) {
  const boost::json::object before = fields_of(before_json);
  const boost::json::object after = fields_of(after_json);
  std::vector<std::string_view> names;
  for (const auto& [key, value] : after) {
    const auto* old = before.if_contains(key);
    if (old == nullptr || !written_alike(*old, value)) names.push_back(key);
  }
  for (const auto& entry : before) {
    if (!after.contains(entry.key())) names.push_back(entry.key());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  boost::json::array out;
  out.reserve(names.size());
  for (const auto name : names) out.emplace_back(name);
  return boost::json::serialize(out);
}

bool names_any(std::string_view changed_json, const std::vector<std::string>& names) {
  // In a serialized array of strings, a quote right after '[' or ',' opens an element (a quote
  // inside one is escaped), and one right before ',' or ']' after a schema name closes it: so
  // "name" between those is an element, exactly.
  for (const std::string& name : names) {
    if (!schema::is_schema_name(name)) continue;
    std::size_t at = 0;
    while ((at = changed_json.find(name, at)) != std::string_view::npos) {
      const std::size_t end = at + name.size();
      if (at >= 2 && end + 1 < changed_json.size() && changed_json[at - 1] == '"' &&
          (changed_json[at - 2] == '[' || changed_json[at - 2] == ',') && changed_json[end] == '"' &&
          (changed_json[end + 1] == ',' || changed_json[end + 1] == ']')) {
        return true;
      }
      at = end;
    }
  }
  return false;
}

}  // namespace yici::store
