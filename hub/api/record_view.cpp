#include "hub/api/record_view.h"

#include <boost/json/parse.hpp>

namespace yici::api {

boost::json::object record_view(const store::Record& r, const std::vector<std::string>& granted,
                                const LookupServices& s) {
  boost::json::object fields;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(r.fields_json, ec);
  if (!ec && parsed.is_object()) {
    for (const auto& f : granted) {
      if (const auto* v = parsed.as_object().if_contains(f)) fields[f] = *v;
    }
  }
  boost::json::object provenance{{"source", r.source},
                                 {"department", s.department_of ? s.department_of(r.source) : ""},
                                 {"pulled_at", r.pulled_at},
                                 {"version", r.version},
                                 {"content_hash", r.content_hash}};
  boost::json::object rec{{"fields", std::move(fields)}, {"status", r.status}, {"provenance", std::move(provenance)}};
  if (s.is_stale && s.is_stale(r)) rec["stale"] = true;
  return rec;
}

}  // namespace yici::api
