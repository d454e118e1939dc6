// Offline schema commands: `yici-ctl normalize` (run the normaliser over a file) and
// `yici-ctl schema check FILE…` (lint schema files).
#pragma once

#include <CLI/CLI.hpp>

namespace yici::ctl {

void add_normalize_command(CLI::App& app, int& exit_code);
void add_schema_command(CLI::App& app, int& exit_code);

}  // namespace yici::ctl
