// yici-verify: verify a saved signed response offline against a JWKS.
//
// Not built yet (the signing module comes first). Until then it verifies nothing and says so with
// a non-zero exit, so no script can mistake it for a successful verification.
#include <cstdio>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"yici-verify " YICI_VERSION ": verify a Yici signed response offline (not available yet)."};
  app.set_version_flag("--version", YICI_VERSION);
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "yici-verify: response verification is not built yet; nothing was verified\n");
  return 1;
}
