#include "hub/api/admin_quarantine.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <boost/json.hpp>

#include "hub/admin/source_masking.h"
#include "hub/core/json_text.h"
#include "hub/schema/mask.h"

namespace yici::api {
namespace {

bool parse_int(const std::string& text, std::int64_t& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool has_code(const boost::json::array& errors, std::string_view wanted) {
  return std::any_of(errors.begin(), errors.end(), [&](const boost::json::value& e) {
    const auto* code = e.is_object() ? e.as_object().if_contains("code") : nullptr;
    return code != nullptr && code->is_string() && code->as_string() == wanted;
  });
}

}  // namespace

Result<std::pair<int, std::int64_t>> quarantine_paging(const Request& request) {
  std::int64_t limit = 100, after = 0;
  if (const std::string* l = request.query_param("limit")) {
    if (!parse_int(*l, limit) || limit < 1 || limit > 1000) return Error::invalid("limit must be 1 to 1000");
  }
  if (const std::string* a = request.query_param("after")) {
    if (!parse_int(*a, after) || after < 0) return Error::invalid("after must be an entry id from a previous page");
  }
  return std::pair<int, std::int64_t>{static_cast<int>(limit), after};
}

boost::json::array quarantine_reasons_json(const std::vector<store::QuarantineReason>& reasons) {
  boost::json::array out;
  for (const auto& r : reasons) {
    boost::json::object o{{"code", r.code}, {"rows", r.rows}};
    o["field"] = r.field.empty() ? boost::json::value(nullptr) : boost::json::value(r.field);
    out.push_back(std::move(o));
  }
  return out;
}

Response quarantine_page(const ingest::SourceDefinition& source, const schema::Schema* schema,
                         const std::vector<store::QuarantineEntry>& entries, const QuarantineSummary& summary,
                         int limit, std::string_view path) {
  const std::set<std::string> masked = admin::sensitive_columns(source, schema);
  const bool key_masked = std::any_of(source.primary_key.begin(), source.primary_key.end(),
                                      [&](const std::string& k) { return masked.count(k) != 0; });
  boost::json::array items;
  for (const auto& e : entries) {
    boost::json::object item;
    item["id"] = e.id;
    boost::system::error_code ec;
    boost::json::value errors = boost::json::parse(e.errors_json, ec);
    if (ec || !errors.is_array()) errors = boost::json::array();
    // A line with more or fewer fields than its header (CSV): its values may sit in the wrong
    // columns, so every one is masked; its key is its place in the file ("bad_row FILE:LINE"),
    // shown as it is so the department can find the line.
    const bool shifted = has_code(errors.as_array(), "bad_row");
    // A row without a key is filed under "missing_key" and a digest of its content: no key value.
    const bool keyless = has_code(errors.as_array(), "missing_key");
    item["source_key"] = key_masked && !shifted && !keyless ? schema::mask_value(e.source_key) : e.source_key;
    if (!e.place.empty()) item["place"] = e.place;
    boost::json::value row = boost::json::parse(e.row_json, ec);
    if (ec || !row.is_object()) row = boost::json::object();
    for (auto& kv : row.as_object()) {
      if ((shifted || masked.count(std::string(kv.key())) != 0) && kv.value().is_string()) {
        kv.value() = schema::mask_value(kv.value().as_string());
      }
    }
    item["row"] = std::move(row);
    item["errors"] = std::move(errors);
    item["first_seen"] = e.first_seen;
    item["last_seen"] = e.last_seen;
    items.push_back(std::move(item));
  }
  boost::json::object body;
  body["source"] = source.id;
  body["dataset"] = source.dataset;
  body["total"] = summary.total;
  body["by_reason"] = quarantine_reasons_json(summary.by_reason);
  body["items"] = std::move(items);
  if (static_cast<int>(entries.size()) == limit && !entries.empty()) {
    body["next"] =
        std::string(path) + "?limit=" + std::to_string(limit) + "&after=" + std::to_string(entries.back().id);
  }
  return json_response(200, to_json_text(body));
}

}  // namespace yici::api
