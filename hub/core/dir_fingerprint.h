// What a directory of YAML files held when it was read: a SHA-256 over each *.yaml / *.yml file's
// name and content, in name order. The hub loads schemas and matters at start only; a reload
// compares fingerprints to name those directories as needing a restart when their files changed,
// rather than answer "reloaded" while the old ones stay in force.
#pragma once

#include <string>

namespace yici {

// Hex SHA-256; a directory that cannot be listed, or a file that cannot be read, enters as its
// error, so that it differs from any readable state.
std::string yaml_dir_fingerprint(const std::string& dir);

}  // namespace yici
