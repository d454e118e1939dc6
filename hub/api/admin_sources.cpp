#include "hub/api/admin_sources.h"

#include <boost/json.hpp>

#include "hub/api/admin_quarantine.h"
#include "hub/core/json_text.h"
#include "hub/core/time.h"

namespace yici::api {
namespace {

boost::json::object health_json(const SourceView& v) {
  const auto& s = *v.source;
  boost::json::object health;
  if (!s.problem.empty()) {
    health["state"] = "invalid";
    health["last_error"] = s.problem;
  } else if (v.health) {
    health["state"] = ingest::state_name(v.health->state);
    health["running"] = v.health->running;
    if (v.health->running) health["running_for_ms"] = v.health->running_for.count();
    health["consecutive_failures"] = v.health->consecutive_failures;
    health["next_run_in_ms"] = v.health->next_run_in.count();
    if (!v.health->running) {
      health["next_run_at"] =
          format_rfc3339_micros(now_utc() + std::chrono::duration_cast<SysTime::duration>(v.health->next_run_in));
    }
    if (v.health->since != SysTime{}) health["since"] = format_rfc3339_micros(v.health->since);
    if (v.health->last_success != SysTime{}) health["last_success"] = format_rfc3339_micros(v.health->last_success);
    if (!v.health->last_error.empty()) health["last_error"] = v.health->last_error;
  } else {
    health["state"] = s.definition.enabled ? "not_scheduled" : "disabled";
  }
  return health;
}

boost::json::object render(const SourceView& v, bool detail) {
  const auto& s = *v.source;
  const auto& d = s.definition;
  boost::json::object o{{"id", d.id},
                        {"department", d.department},
                        {"dataset", d.dataset},
                        {"adapter", d.adapter_type},
                        {"enabled", d.enabled},
                        {"managed_by", ingest::managed_by_name(s.managed_by)},
                        {"quarantined", v.quarantined}};
  if (s.managed_by == ingest::ManagedBy::kFile) {
    o["file"] = d.origin;
  } else {
    o["version"] = s.version;
    o["updated_at"] = s.updated_at;
    o["updated_by"] = s.updated_by;
  }
  boost::json::object records;
  std::int64_t current = 0;
  for (const auto& [status, n] : v.records) {
    records[status] = n;
    if (status != "withdrawn") current += n;
  }
  o["records"] = current;
  o["records_by_status"] = std::move(records);
  o["health"] = health_json(v);
  o["full_pull_unfinished"] = v.full_pull_unfinished;
  // Reject rate of the latest pull that read anything (a reconciliation reads keys, no rows).
  o["reject_rate"] = nullptr;
  for (const auto& p : v.recent_pulls) {
    if (p.rows_read > 0 && p.mode != "reconcile") {
      // Written plainly (0, 0.25, 1) by to_json_text, not as Boost.JSON's 0E0 or 2.5E-1.
      o["reject_rate"] = static_cast<double>(p.counts.quarantined) / static_cast<double>(p.rows_read);
      break;
    }
  }
  boost::json::array pulls;
  for (const auto& p : v.recent_pulls) {
    boost::json::object po{
        {"started_at", p.started_at},      {"finished_at", p.finished_at},     {"mode", p.mode},
        {"rows_read", p.rows_read},        {"inserted", p.counts.inserted},    {"updated", p.counts.updated},
        {"unchanged", p.counts.unchanged}, {"rejected", p.counts.quarantined}, {"duration_ms", p.duration_ms}};
    po["duplicates"] = p.counts.duplicates;
    if (!p.error.empty()) po["error"] = p.error;
    if (!p.warnings.empty()) {
      boost::json::array warnings;
      for (const auto& w : p.warnings) warnings.emplace_back(w);
      po["warnings"] = std::move(warnings);
    }
    pulls.push_back(std::move(po));
  }
  o["recent_pulls"] = std::move(pulls);
  if (detail) {
    o["quarantine_by_reason"] = quarantine_reasons_json(v.quarantine_reasons);
    boost::json::object mapping;
    for (const auto& [field, column] : d.mapping) mapping[field] = column;
    o["mapping"] = std::move(mapping);
    boost::json::array pk;
    for (const auto& k : d.primary_key) pk.push_back(boost::json::string(k));
    o["primary_key"] = std::move(pk);
    if (d.cursor)
      o["cursor"] = boost::json::object{{"column", d.cursor->column}, {"overlap_ms", d.cursor->overlap.count()}};
    o["schedule"] = boost::json::object{{"every_ms", d.every.count()}, {"jitter_ms", d.jitter.count()}};
    boost::system::error_code ec;
    boost::json::value adapter = boost::json::parse(d.adapter_config_json, ec);
    if (!ec) o["adapter_config"] = std::move(adapter);
    if (s.managed_by == ingest::ManagedBy::kApi) o["definition"] = s.definition_text;
  }
  return o;
}

}  // namespace

Response list_sources(const std::vector<SourceView>& sources) {
  boost::json::array arr;
  for (const auto& s : sources) arr.push_back(render(s, false));
  return json_response(200, to_json_text(boost::json::object{{"sources", std::move(arr)}}));
}

Response show_source(const SourceView& source) { return json_response(200, to_json_text(render(source, true))); }

Response source_versions(const std::string& id, const std::vector<store::SourceChange>& changes) {
  boost::json::array items;
  for (const auto& c : changes) {
    boost::json::object o{{"seq", c.seq},
                          {"version", c.version},
                          {"action", c.action},
                          {"changed_at", c.changed_at},
                          {"changed_by", c.changed_by},
                          {"request_id", c.request_id}};
    if (c.definition) o["definition"] = *c.definition;
    items.push_back(std::move(o));
  }
  return json_response(200, to_json_text(boost::json::object{{"id", id}, {"changes", std::move(items)}}));
}

}  // namespace yici::api
