#include "hub/ingest/source_file_changes.h"

#include <algorithm>
#include <set>

namespace yici::ingest {
namespace {

std::string keeps(const RegisteredSource* in_force) {
  return in_force == nullptr ? "; not loaded"
                             : "; the source in force stays as it was (from " + in_force->definition.origin + ")";
}

}  // namespace

SourceFileChanges plan_source_file_changes(const std::vector<std::shared_ptr<const RegisteredSource>>& current,
                                           LoadedSources loaded) {
  SourceFileChanges out;
  const auto find = [&](const std::string& id) -> const RegisteredSource* {
    const auto it = std::find_if(current.begin(), current.end(), [&](const auto& s) { return s->definition.id == id; });
    return it == current.end() ? nullptr : it->get();
  };
  // errors[i] is the file skipped_files[i] (when the directory could be listed at all).
  const bool paired = loaded.errors.size() == loaded.skipped_files.size();
  for (std::size_t i = 0; i < loaded.errors.size(); ++i) {
    const RegisteredSource* in_force = nullptr;
    if (paired) {
      const auto it = std::find_if(current.begin(), current.end(), [&](const auto& s) {
        return s->managed_by == ManagedBy::kFile && s->definition.origin == loaded.skipped_files[i];
      });
      if (it != current.end()) in_force = it->get();
    }
    out.refused.push_back(loaded.errors[i].message + keeps(in_force));
  }
  std::set<std::string> in_files;
  for (auto& d : loaded.sources) {
    in_files.insert(d.id);
    const RegisteredSource* in_force = find(d.id);
    if (in_force == nullptr) {
      out.added.push_back(std::move(d));
    } else if (in_force->managed_by == ManagedBy::kApi) {
      out.refused.push_back(d.origin + ": source id \"" + d.id +
                            "\" is registered through the admin API; not loaded (rename the id in the file, or "
                            "retire the API source: at the next start the file would shadow it)");
    } else if (same_definition(in_force->definition, d)) {
      continue;
    } else if (d.dataset != in_force->definition.dataset) {
      out.refused.push_back(d.origin + ": a source's dataset cannot change (from " + in_force->definition.dataset +
                            " to " + d.dataset + "): give the new definition another id" + keeps(in_force));
    } else if (d.primary_key != in_force->definition.primary_key) {
      out.refused.push_back(d.origin +
                            ": a source's primary key cannot change (stored records are keyed by it): give the new "
                            "definition another id" +
                            keeps(in_force));
    } else {
      out.changed.push_back(std::move(d));
    }
  }
  const std::set<std::string> skipped(loaded.skipped_files.begin(), loaded.skipped_files.end());
  for (const auto& s : current) {
    if (s->managed_by != ManagedBy::kFile || in_files.contains(s->definition.id)) continue;
    // Its file is there but does not load: the error above names it, and the source stays.
    if (skipped.contains(s->definition.origin)) continue;
    out.removed.push_back(s->definition.id);
  }
  return out;
}

}  // namespace yici::ingest
