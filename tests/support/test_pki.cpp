#include "tests/support/test_pki.h"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "tests/support/temp_dir.h"

namespace yici::test {

const std::string& pki_dir() {
  static std::unique_ptr<TempDir> dir;
  static std::string path = [] {
    dir = std::make_unique<TempDir>();
    const std::string out = dir->file("pki");
    const std::string cmd = std::string(YICI_SOURCE_DIR) + "/certs/make-dev-pki '" + out + "' >/dev/null && " +
                            YICI_SOURCE_DIR + "/certs/make-dev-signing-keys '" + out + "/signing' >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("certs/make-dev-pki or make-dev-signing-keys failed");
    return out;
  }();
  return path;
}

}  // namespace yici::test
