#include "hub/ingest/last_good_pulls.h"

#include <algorithm>
#include <mutex>

namespace yici::ingest {

namespace {
// Pull runs read from the history to find the latest good one.
constexpr int kHistoryRuns = 20;
}  // namespace

std::string LastGoodPulls::started_at(const std::string& source) {
  {
    std::shared_lock lock(mu_);
    if (const auto it = started_at_.find(source); it != started_at_.end()) return it->second;
  }
  std::string latest;
  auto runs = store_.recent_pull_runs(source, kHistoryRuns);
  if (!runs.ok()) return latest;  // not remembered: read again next time
  for (const auto& run : *runs) {
    if (counts(run)) latest = std::max(latest, run.started_at);
  }
  std::unique_lock lock(mu_);
  auto [it, fresh] = started_at_.try_emplace(source, latest);
  if (!fresh) it->second = std::max(it->second, latest);
  return it->second;
}

void LastGoodPulls::record(const store::PullRun& run) {
  if (!counts(run)) return;
  std::unique_lock lock(mu_);
  auto [it, fresh] = started_at_.try_emplace(run.source, run.started_at);
  if (!fresh) it->second = std::max(it->second, run.started_at);
}

}  // namespace yici::ingest
