#include "hub/ingest/restored_health.h"

#include "hub/core/time.h"

namespace yici::ingest {

std::optional<SourceHealth> health_from_runs(const std::vector<store::PullRun>& newest_first) {
  if (newest_first.empty()) return std::nullopt;
  SourceHealth h;
  for (const store::PullRun& run : newest_first) {
    const auto finished = parse_rfc3339(run.finished_at);
    if (!finished) return std::nullopt;
    if (run.error.empty()) {
      h.last_success = *finished;
      if (h.consecutive_failures == 0) h.since = *finished;  // ok since (at least) then
      break;
    }
    if (h.consecutive_failures++ == 0) h.last_error = run.error;
    h.since = *finished;  // the failures began no later than this one
  }
  h.state = h.consecutive_failures > 0 ? SourceHealth::State::kFailing : SourceHealth::State::kOk;
  return h;
}

}  // namespace yici::ingest
