// At a reload, sources registered through the admin API are checked again against the policy just
// loaded, as a restart would check them. The department that owns a source must be a department
// principal of the policy; an operator who adds a missing department and reloads (as the hub's
// message tells them to) expects the source to load then, not at the next restart. The reverse, a
// policy that no longer names the department of a source in force, is refused for that source as
// it is for a source file: the source stays in force, and the reload's answer and the log say that
// a restart would not load it.
#include "hub/core/log.h"
#include "hub/hub.h"

namespace yici {

void Hub::recheck_api_sources(const api::Request& request, SourceFilesReload& result) {
  if (catalog_ == nullptr) return;
  const auto policy = policy_.load();
  std::lock_guard lock(source_writes_);
  auto stored = catalog_->load_all();
  if (!stored) {
    result.errors.push_back("the sources registered through the API could not be read from meta.db (" +
                            stored.error().message + "), so they were not checked against the policy now in force");
    return;
  }
  for (const auto& row : *stored) {
    if (row.retiring) continue;  // on its way out, or an unfinished retirement waiting for a retry
    const auto current = sources_.find(row.id);
    // Gone, or shadowed by a file source of the same id (the file wins, as at start).
    if (current == nullptr || current->managed_by != ingest::ManagedBy::kApi) continue;
    // Changed through the API since this registry entry was made: that change was checked then.
    if (current->version != row.version) continue;
    auto fresh = api_source_entry(row, *policy);
    if (current->problem.empty() && !fresh->problem.empty()) {
      log::error("source_reload_refused",
                 {{"source", row.id},
                  {"managed_by", "api"},
                  {"error", fresh->problem},
                  {"action",
                   "the source stays in force until the hub restarts, which will not load it: put its department back "
                   "in the policy and reload, or update the source (yici-ctl sources update " +
                       row.id + " FILE)"}});
      result.errors.push_back("source " + row.id +
                              " (registered through the API) does not pass against the policy now in force: " +
                              fresh->problem + "; it stays in force until the hub restarts, which will not load it");
      continue;
    }
    if (current->problem.empty() || current->problem == fresh->problem) continue;
    if (!fresh->problem.empty()) {
      sources_.put(std::move(fresh));  // still not loading, for a reason that reads differently now
      continue;
    }
    // Never scheduled while it did not load, so no pull of it is running.
    sources_.put(fresh);
    schedule(*fresh);
    log::info("source_loaded", {{"source", row.id},
                                {"dataset", fresh->definition.dataset},
                                {"adapter", fresh->definition.adapter_type},
                                {"managed_by", "api"},
                                {"version", row.version},
                                {"reason", "it passes against the reloaded policy"},
                                {"previous_problem", current->problem},
                                {"by", request.principal->id},
                                {"request_id", request.request_id}});
    result.resumed.push_back(row.id);
  }
}

}  // namespace yici
