// Reloading sources_dir (SIGHUP, POST /v1/admin/reload): file-managed sources are added, changed
// and removed without a restart, as the admin API does for its own. What changes is decided by
// ingest::plan_source_file_changes; this file applies it, one source at a time, under the same
// lock as the API's source writes, and audits each change.
#include <algorithm>
#include <filesystem>

#include "hub/audit/audit_actions.h"
#include "hub/core/log.h"
#include "hub/hub.h"
#include "hub/ingest/source_file_changes.h"

namespace yici {
namespace {

std::string pull_did_not_stop(const ingest::RegisteredSource& s) {
  return s.definition.origin + ": a pull of " + s.definition.id +
         " did not stop within 60 s, so the change was not applied; the source in force stays; reload again";
}

}  // namespace

Hub::SourceFilesReload Hub::reload_source_files(const api::Request& request) {
  SourceFilesReload result = apply_source_files(request);
  for (const auto& e : result.errors) {
    log::error("source_reload_refused",
               {{"error", e}, {"action", "fix the file and reload again; the other source files are applied"}});
  }
  return result;
}

Hub::SourceFilesReload Hub::apply_source_files(const api::Request& request) {
  SourceFilesReload result;
  const auto has_file_sources = [this] {
    const auto all = sources_.list();
    return std::any_of(all.begin(), all.end(), [](const auto& s) { return s->managed_by == ingest::ManagedBy::kFile; });
  };
  if (std::error_code ec; !std::filesystem::is_directory(config_.sources_dir, ec)) {
    // As at start, no directory means no file-managed sources; but one that vanished under
    // sources in force (an unmounted volume) must not take them all away.
    if (has_file_sources()) {
      result.errors.push_back(config_.sources_dir +
                              ": sources_dir is not a directory any more; the file-managed sources in force stay");
    }
    return result;
  }
  auto loaded = checked_source_files();
  if (!loaded.listed) {
    for (const auto& e : loaded.errors) result.errors.push_back(e.message + "; the file-managed sources in force stay");
    return result;
  }
  // An unmounted volume usually leaves its mount point behind, empty: no file at all, good or
  // bad, while sources are in force from it is taken as that, not as "remove them all".
  if (loaded.sources.empty() && loaded.skipped_files.empty() && has_file_sources()) {
    result.errors.push_back(config_.sources_dir +
                            " holds no source files, but file-managed sources are in force from it (an unmounted "
                            "volume leaves an empty directory): they stay. To run with none, restart the hub with "
                            "the directory empty");
    return result;
  }

  std::lock_guard lock(source_writes_);
  auto plan = ingest::plan_source_file_changes(sources_.list(), std::move(loaded));
  source_files_skipped_ = plan.refused.size();
  result.errors = std::move(plan.refused);

  for (auto& d : plan.added) {
    const auto entry = file_source(std::move(d));
    const auto& def = entry->definition;
    sources_.put(entry);
    schedule(*entry);
    log::info("source_loaded", {{"source", def.id},
                                {"dataset", def.dataset},
                                {"adapter", def.adapter_type},
                                {"file", def.origin},
                                {"by", request.principal->id},
                                {"request_id", request.request_id}});
    audit_admin_change(request, audit::action::kSourceCreate, def.id, "allowed", 200);
    result.added.push_back(def.id);
  }

  for (auto& d : plan.changed) {
    const auto current = sources_.find(d.id);
    if (current == nullptr) continue;  // not while source_writes_ is held
    if (!quiesce(*current)) {
      resume_pulls(*current);
      result.errors.push_back(pull_did_not_stop(*current));
      continue;
    }
    const auto entry = file_source(std::move(d));
    const auto& def = entry->definition;
    // The mapping or the source may have changed: read everything again on the next pull.
    if (auto st = stores_.records->clear_cursor(def.id); !st.ok()) {
      log::warn("cursor_not_cleared", {{"source", def.id}, {"error", st.error().message}});
    }
    sources_.put(entry);
    schedule(*entry);
    log::info(
        "source_updated",
        {{"source", def.id}, {"file", def.origin}, {"by", request.principal->id}, {"request_id", request.request_id}});
    audit_admin_change(request, audit::action::kSourceUpdate, def.id, "allowed", 200);
    result.changed.push_back(def.id);
  }

  for (const auto& id : plan.removed) {
    const auto current = sources_.find(id);
    if (current == nullptr) continue;
    if (!quiesce(*current)) {
      resume_pulls(*current);
      result.errors.push_back(pull_did_not_stop(*current));
      continue;
    }
    remember_department(*current);
    forget_source(id);
    log::warn("source_removed",
              {{"source", id},
               {"file", current->definition.origin},
               {"by", request.principal->id},
               {"request_id", request.request_id},
               {"action",
                "its file is gone from sources_dir, so nothing pulls it any more; its records are kept and served, "
                "marked stale once older than ingest.stale_after. Put the file back and reload to pull it again"}});
    audit_admin_change(request, audit::action::kSourceDelete, id, "allowed", 200);
    result.removed.push_back(id);
  }

  return result;
}

}  // namespace yici
