#include "hub/api/admin_sources.h"

#include <boost/json.hpp>

namespace yici::api {
namespace {

boost::json::object render(const SourceView& v, bool detail) {
  const auto& d = *v.definition;
  boost::json::object o{
      {"id", d.id},           {"department", d.department}, {"dataset", d.dataset}, {"adapter", d.adapter_type},
      {"enabled", d.enabled}, {"managed_by", "file"},       {"file", d.origin},     {"quarantined", v.quarantined}};
  boost::json::object health;
  if (v.health) {
    health["state"] = ingest::state_name(v.health->state);
    health["running"] = v.health->running;
    health["consecutive_failures"] = v.health->consecutive_failures;
    health["next_run_in_ms"] = v.health->next_run_in.count();
    if (!v.health->last_error.empty()) health["last_error"] = v.health->last_error;
  } else {
    health["state"] = d.enabled ? "not_scheduled" : "disabled";
  }
  o["health"] = std::move(health);
  boost::json::array pulls;
  for (const auto& p : v.recent_pulls) {
    boost::json::object po{
        {"started_at", p.started_at},      {"finished_at", p.finished_at},     {"mode", p.mode},
        {"rows_read", p.rows_read},        {"inserted", p.counts.inserted},    {"updated", p.counts.updated},
        {"unchanged", p.counts.unchanged}, {"rejected", p.counts.quarantined}, {"duration_ms", p.duration_ms}};
    if (!p.error.empty()) po["error"] = p.error;
    pulls.push_back(std::move(po));
  }
  o["recent_pulls"] = std::move(pulls);
  if (detail) {
    boost::json::object mapping;
    for (const auto& [field, column] : d.mapping) mapping[field] = column;
    o["mapping"] = std::move(mapping);
    boost::json::array pk;
    for (const auto& k : d.primary_key) pk.push_back(boost::json::string(k));
    o["primary_key"] = std::move(pk);
    if (d.cursor)
      o["cursor"] = boost::json::object{{"column", d.cursor->column}, {"overlap_ms", d.cursor->overlap.count()}};
    o["schedule"] = boost::json::object{{"every_ms", d.every.count()}, {"jitter_ms", d.jitter.count()}};
  }
  return o;
}

}  // namespace

Response list_sources(const std::vector<SourceView>& sources) {
  boost::json::array arr;
  for (const auto& s : sources) arr.push_back(render(s, false));
  return json_response(200, boost::json::serialize(boost::json::object{{"sources", std::move(arr)}}));
}

Response show_source(const SourceView& source) {
  return json_response(200, boost::json::serialize(render(source, true)));
}

}  // namespace yici::api
