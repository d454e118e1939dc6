// yici-verify: verify a saved signed response offline against a JWKS.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"yici-verify " YICI_VERSION ": verify a Yici signed response offline."};
  app.set_version_flag("--version", YICI_VERSION);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
