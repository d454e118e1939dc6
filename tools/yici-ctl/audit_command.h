// yici-ctl audit search (online, auditor certificate) and yici-ctl audit verify (offline on a
// data directory, or online through a hub).
#pragma once

#include <CLI/CLI.hpp>

namespace yici::ctl {

void add_audit_command(CLI::App& app, int& exit_code);

}  // namespace yici::ctl
