#include "hub/api/record_view.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/core/sha256.h"

namespace yici::api {

boost::json::object shown_fields(std::string_view fields_json, const std::vector<std::string>& granted) {
  boost::json::object fields;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(fields_json, ec);
  if (!ec && parsed.is_object()) {
    for (const auto& f : granted) {
      if (const auto* v = parsed.as_object().if_contains(f)) fields[f] = *v;
    }
  }
  return fields;
}

bool status_shown(const std::string& dataset, const std::vector<std::string>& granted, const LookupServices& s) {
  const std::string status_field = s.status_field_of ? s.status_field_of(dataset) : std::string();
  return !status_field.empty() && std::find(granted.begin(), granted.end(), status_field) != granted.end();
}

boost::json::object record_view(const store::Record& r, const std::vector<std::string>& granted,
                                const LookupServices& s) {
  boost::json::object fields = shown_fields(r.fields_json, granted);
  // Nothing here may depend on a field not granted. The stored content hash covers the whole
  // record: with the granted fields in hand, a department could confirm guesses of the others
  // against it (an e-licence's dates and holder fell to a search of seconds). So the hash is of
  // the fields shown, as written here. For the same reason the version counts only changes to
  // what this reader is shown (show_version).
  boost::json::object provenance{{"source", r.source},
                                 {"department", s.department_of ? s.department_of(r.source) : ""},
                                 {"pulled_at", r.pulled_at},
                                 {"version", r.version},
                                 {"content_hash", sha256_hex(boost::json::serialize(fields))}};
  if (s.checked_at) {
    if (std::string checked = s.checked_at(r.source); !checked.empty()) provenance["checked_at"] = checked;
  }
  boost::json::object rec{{"fields", std::move(fields)}};
  if (status_shown(r.dataset, granted, s)) rec["status"] = r.status;
  rec["provenance"] = std::move(provenance);
  if (s.is_stale && s.is_stale(r)) rec["stale"] = true;
  return rec;
}

}  // namespace yici::api
