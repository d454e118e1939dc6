// GET /metrics (admin principals): the Prometheus text exposition, with the state gauges read
// at scrape time from the source registry, the scheduler and the audit log.
#include <algorithm>

#include "hub/audit/audit_query.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/subject_index.h"
#include "hub/core/time.h"
#include "hub/hub.h"
#include "hub/net/server.h"

namespace yici {
namespace {

double to_unix(SysTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

}  // namespace

void Hub::register_metrics_route() {
  router_.add("GET", "/metrics", net::Access::kAdmin, [this](const api::Request&, const net::PathParams&) {
    metrics::Snapshot snap;
    snap.source_files_skipped = source_files_skipped_;
    snap.open_connections = server_->open_connections();
    if (const auto crls = server_->crls(); crls && crls->next_update_unix) {
      snap.crl_next_update_unix_s = static_cast<double>(*crls->next_update_unix);
    }
    for (const auto& s : sources_.list()) {
      metrics::SourceState state;
      state.id = s->definition.id;
      const auto health = scheduler_ ? scheduler_->health(state.id) : std::nullopt;
      state.up = s->problem.empty() && (!health || health->state != ingest::SourceHealth::State::kFailing);
      if (health && health->last_success != SysTime{}) state.last_success_unix_s = to_unix(health->last_success);
      if (health && health->running) state.running_s = static_cast<double>(health->running_for.count()) / 1000.0;
      if (auto q = stores_.records->quarantine_count(state.id); q.ok()) state.quarantined = *q;
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
      snap.audit_commit_failures = audit_log_->commit_failures();
      snap.audit_entries_written = audit_log_->entries_written();
      if (auto reader = stores_.audit->reader(); reader.ok()) {
        if (auto index = audit::subject_index_state(**reader); index.ok()) {
          const auto size = static_cast<std::int64_t>(snap.audit_tree_size);
          snap.subject_index_lag = std::max<std::int64_t>(0, size - index->upto);
          const std::int64_t whole_spans = (index->upto >> index->span_shift) << index->span_shift;
          snap.subject_merge_lag = std::max<std::int64_t>(0, whole_spans - index->spans_upto);
        }
      }
    }
    if (auto latest = audit::load_checkpoint(*stores_.audit, std::nullopt, stores_.log_id); latest.ok()) {
      std::uint64_t signed_size = 0;
      if (*latest) {
        signed_size = (*latest)->tree_size;
        if (auto at = parse_rfc3339((*latest)->timestamp))
          snap.last_checkpoint_age_s = to_unix(now_utc()) - to_unix(*at);
      }
      snap.unsigned_entries = snap.audit_tree_size > signed_size ? snap.audit_tree_size - signed_size : 0;
      if (snap.unsigned_entries > 0) {
        if (auto first = audit::read_entry(*stores_.audit, signed_size); first.ok() && *first) {
          if (auto at = parse_rfc3339((*first)->entry.time)) {
            snap.oldest_unsigned_entry_age_s = std::max(0.0, to_unix(now_utc()) - to_unix(*at));
          }
        }
      }
    }
    api::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.render(snap);
    return r;
  });
}

}  // namespace yici
