// yici-ctl sources add FILE | update ID FILE | enable ID | disable ID | retire ID | versions ID:
// registering and changing sources through a hub's admin API (file-managed sources are changed
// by editing their files instead).
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "tools/yici-ctl/hub_client.h"

namespace yici::ctl {

void add_source_write_commands(CLI::App& sources, int& exit_code);

}  // namespace yici::ctl
