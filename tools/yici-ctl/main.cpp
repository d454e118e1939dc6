// yici-ctl: the administrators' and auditors' command line. Each subcommand group lives in its own
// file and is registered here; each says whether it talks to a hub (mTLS) or works offline.
#include <exception>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "hub/core/version.h"
#include "tools/yici-ctl/audit_command.h"
#include "tools/yici-ctl/hub_client.h"
#include "tools/yici-ctl/reload_command.h"
#include "tools/yici-ctl/schema_commands.h"
#include "tools/yici-ctl/sources_command.h"
#include "tools/yici-ctl/unknown_subcommand.h"

int main(int argc, char** argv) {
  CLI::App app{
      std::string("yici-ctl ") + yici::version() +
      ": administer and audit a Yici hub.\n"
      "Online subcommands take --hub URL --cert F --key F --ca F (or YICI_HUB, YICI_CERT, YICI_KEY, YICI_CA).\n"
      "Exit codes: 0 ok, 1 refused or failed check, 2 usage, 3 cannot reach hub."};
  app.set_version_flag("--version", std::string(yici::version()));
  app.require_subcommand(1);
  int exit_code = yici::ctl::kExitOk;
  yici::ctl::add_sources_command(app, exit_code);
  yici::ctl::add_normalize_command(app, exit_code);
  yici::ctl::add_schema_command(app, exit_code);
  yici::ctl::add_reload_command(app, exit_code);
  yici::ctl::add_audit_command(app, exit_code);
  if (auto unknown = yici::ctl::unknown_subcommand(app, argc, argv)) {
    std::cerr << *unknown << "\nRun with --help for more information.\n";
    return yici::ctl::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : yici::ctl::kExitUsage;
  } catch (const std::filesystem::filesystem_error& e) {
    // An offline command's files (audit verify --data-dir, normalize --input): not a hub's answer.
    std::cerr << "yici-ctl: " << e.what() << "\n";
    return yici::ctl::kExitRefused;
  } catch (const std::exception& e) {
    // An answer that is not the JSON a command expects (a hub of another version, or an audit
    // entry holding bytes that are not UTF-8, written before the hub refused them).
    std::cerr << "yici-ctl: could not read the hub's answer: " << e.what() << "\n";
    return yici::ctl::kExitRefused;
  }
  return exit_code;
}
