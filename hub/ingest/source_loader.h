// Loads every *.yaml source definition in sources_dir (at start, and again on reload). A bad file
// is reported with its path and skipped; the others load. Duplicate ids: the first file (in name
// order) wins.
#pragma once

#include <string>
#include <vector>

#include "hub/ingest/source_definition.h"

namespace yici::ingest {

struct LoadedSources {
  std::vector<SourceDefinition> sources;
  std::vector<Error> errors;               // one per skipped file, "path:line: message"
  std::vector<std::string> skipped_files;  // their paths, as SourceDefinition::origin names a file
  bool listed = true;                      // false: the directory could not be listed (in errors)
};

LoadedSources load_sources_dir(const std::string& dir, const adapters::AdapterRegistry& registry);

}  // namespace yici::ingest
