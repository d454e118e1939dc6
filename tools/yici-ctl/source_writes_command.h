// yici-ctl sources add FILE | update ID FILE | enable ID | disable ID | retire ID | versions ID:
// registering and changing sources through a hub's admin API (file-managed sources are changed
// by editing their files instead).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/yici-ctl/hub_client.h"

namespace yici::ctl {

void add_source_write_commands(CLI::App& sources, int& exit_code);

// The ID argument of a sources subcommand, checked as the hub checks ids ([a-z0-9-]+): an id is
// put into the request's path, where "a?dry_run=true" or "x/versions" reached another endpoint.
CLI::Option* add_source_id(CLI::App* command, std::string& id);

}  // namespace yici::ctl
