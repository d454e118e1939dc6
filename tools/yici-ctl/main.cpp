// yici-ctl: the administrators' and auditors' command line. Subcommands arrive with their issues;
// each says whether it talks to a hub (mTLS) or works offline on files.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"yici-ctl " YICI_VERSION ": administer and audit a Yici hub.\n"
               "Exit codes: 0 ok, 1 refused or failed check, 2 usage, 3 cannot reach hub."};
  app.set_version_flag("--version", YICI_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
