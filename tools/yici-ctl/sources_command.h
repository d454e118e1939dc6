// yici-ctl sources list | show ID | pull ID: a hub's sources, their health and pull history.
#pragma once

#include <CLI/CLI.hpp>

namespace yici::ctl {

void add_sources_command(CLI::App& app, int& exit_code);

}  // namespace yici::ctl
