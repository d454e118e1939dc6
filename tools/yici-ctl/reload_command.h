// yici-ctl reload: ask a hub to reload its policy and signing keys (admin certificate).
#pragma once

#include <CLI/CLI.hpp>

namespace yici::ctl {

void add_reload_command(CLI::App& app, int& exit_code);

}  // namespace yici::ctl
