#pragma once
// CLI11 2.1 answers a mistyped subcommand (`yici-ctl sources lst`) with "A subcommand is
// required", which sends the reader looking for a missing word rather than a wrong one.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace yici::ctl {

// The first word of the command line, before any option, that is not a subcommand of the
// command it follows although that command needs one, named with the subcommands it could have
// been: "yici-ctl sources: no subcommand \"lst\"; one of: list, show, …". nullopt when there is
// none, and CLI11's own parse says what else is wrong.
std::optional<std::string> unknown_subcommand(const CLI::App& app, int argc, const char* const* argv);

}  // namespace yici::ctl
