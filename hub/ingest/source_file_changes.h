// What a reload of sources_dir changes: the definitions read from the files again, set against
// the sources in force. A file that no longer loads keeps its source as it was (the error says
// so); a file that is gone takes its source with it (its records are kept and go stale); a
// definition that changes what stored records are keyed by (dataset, primary key) is refused, as
// the admin API refuses it. A pure function: the hub applies the result (hub_source_files.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hub/ingest/source_loader.h"
#include "hub/ingest/source_registry.h"

namespace yici::ingest {

struct SourceFileChanges {
  std::vector<SourceDefinition> added;
  std::vector<SourceDefinition> changed;
  std::vector<std::string> removed;  // ids of file-managed sources whose file is gone
  std::vector<std::string> refused;  // one message per file not applied; the source in force (if any) stays
};

// `current`: every source in force (file- and API-managed). `loaded`: sources_dir read again, each
// definition already checked against the schemas and policy (those that failed are in
// loaded.errors and loaded.skipped_files).
SourceFileChanges plan_source_file_changes(const std::vector<std::shared_ptr<const RegisteredSource>>& current,
                                           LoadedSources loaded);

}  // namespace yici::ingest
