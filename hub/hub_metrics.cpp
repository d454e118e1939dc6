// GET /metrics (admin principals): the Prometheus text exposition, with the state gauges read
// at scrape time from the source registry, the scheduler and the audit log.
#include <cstdio>
#include <ctime>

#include "hub/audit/checkpoint.h"
#include "hub/hub.h"

namespace yici {
namespace {

// "2026-11-23T07:00:00Z" (fraction ignored) → Unix seconds; nullopt if it does not parse.
std::optional<double> unix_seconds(const std::string& rfc3339) {
  std::tm tm{};
  if (std::sscanf(rfc3339.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm));
}

double to_unix(SysTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

}  // namespace

void Hub::register_metrics_route() {
  router_.add("GET", "/metrics", net::Access::kAdmin, [this](const api::Request&, const net::PathParams&) {
    metrics::Snapshot snap;
    snap.source_files_skipped = source_files_skipped_;
    for (const auto& s : sources_.list()) {
      metrics::SourceState state;
      state.id = s->definition.id;
      const auto health = scheduler_ ? scheduler_->health(state.id) : std::nullopt;
      state.up = s->problem.empty() && (!health || health->state != ingest::SourceHealth::State::kFailing);
      if (health && health->last_success != SysTime{}) state.last_success_unix_s = to_unix(health->last_success);
      if (health && health->running) state.running_s = static_cast<double>(health->running_for.count()) / 1000.0;
      snap.sources.push_back(std::move(state));
    }
    for (const auto& [name, checkpointer] : {std::pair{"audit", stores_.audit_checkpoints.get()},
                                             std::pair{"records", stores_.records_checkpoints.get()}}) {
      if (checkpointer == nullptr) continue;
      const auto progress = checkpointer->last_progress();
      snap.wal.push_back({name, progress.log_frames, progress.copied_frames, checkpointer->failures()});
    }
    if (audit_log_) {
      snap.audit_tree_size = audit_log_->size();
      snap.audit_commits = audit_log_->commits();
      snap.audit_entries_written = audit_log_->entries_written();
    }
    if (auto latest = audit::load_checkpoint(*stores_.audit, std::nullopt, stores_.log_id); latest.ok() && *latest) {
      if (auto at = unix_seconds((*latest)->timestamp)) snap.last_checkpoint_age_s = to_unix(now_utc()) - *at;
    }
    api::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.render(snap);
    return r;
  });
}

}  // namespace yici
