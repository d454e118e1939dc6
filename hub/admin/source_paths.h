// Where a source registered through the admin API may read files on the hub's machine. An
// administrator's certificate must not turn into a way to read the hub's own secrets: a CSV
// "source" pointed at the audit HMAC key showed the key as its header, and a token_file or
// password_file sends a file's content to whatever server the definition names. Sources in
// sources_dir are written by the host's operator and are not confined.
#pragma once

#include <string>
#include <vector>

#include "hub/admin/source_check.h"
#include "hub/ingest/source_definition.h"

namespace yici::admin {

// One problem per file the source's adapter reads (Adapter::local_files) that is not inside one
// of `allowed_dirs` once symbolic links and ".." are resolved; none when all are inside. With no
// allowed directories, any file is a problem. Checked before the source is probed, so a refused
// file is never opened.
std::vector<SourceProblem> check_api_source_paths(const ingest::SourceDefinition& source,
                                                  const std::vector<std::string>& allowed_dirs);

}  // namespace yici::admin
