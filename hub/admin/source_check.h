// Checks a parsed source definition against what the hub has loaded: a schema for its dataset,
// mapped fields that schema has, every required field mapped, and an owning department that is a
// department principal. Used for files in sources_dir at start and for the admin API, so both
// refuse the same definitions with the same words.
#pragma once

#include <string>
#include <vector>

#include "hub/access/policy.h"
#include "hub/core/result.h"
#include "hub/ingest/source_definition.h"
#include "hub/schema/schema_set.h"

namespace yici::admin {

// One thing wrong with a definition: the key path ("mapping.shoe_size", "" for the whole
// definition) and what is wrong there, in words an administrator can act on.
struct SourceProblem {
  std::string path;
  std::string message;
};

// A parse error as a problem (its path from the YAML reader, when known).
SourceProblem problem_from(const Error& error);

struct SourceCheckContext {
  const schema::SchemaSet* schemas = nullptr;
  const access::Policy* policy = nullptr;
  std::string schemas_dir;                    // for messages
  std::string policy_file;                    // for messages
  std::vector<std::string> api_source_paths;  // where API sources may read files (source_paths.h)
  std::vector<std::string> api_source_env;    // variables API sources may read a password from (source_env.h)
};

std::vector<SourceProblem> check_source(const ingest::SourceDefinition& source, const SourceCheckContext& context);

// "path: message; path: message" for logs and single-line errors.
std::string join_problems(const std::vector<SourceProblem>& problems);

}  // namespace yici::admin
