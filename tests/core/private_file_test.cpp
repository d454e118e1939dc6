// Secret files readable by others are refused, naming the file and the chmod to run.
#include "hub/core/private_file.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici {
namespace {

TEST_CASE("private files: owner-only modes pass, any group or other bit is refused") {
  test::TempDir dir;
  dir.write("k", "secret");
  namespace fs = std::filesystem;
  const std::string path = dir.file("k");
  for (const auto mode : {fs::perms::owner_read, fs::perms::owner_read | fs::perms::owner_write}) {
    fs::permissions(path, mode);
    CHECK(check_owner_only(path, "a key").ok());
  }
  for (const auto extra :
       {fs::perms::group_read, fs::perms::others_read, fs::perms::group_write, fs::perms::others_exec}) {
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | extra);
    const auto st = check_owner_only(path, "the TLS private key (tls.key)");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message ==
          path + ": the TLS private key (tls.key) must be readable by its owner only (chmod 600 " + path + ")");
  }
  CHECK(check_owner_only(dir.file("missing"), "a key").ok());  // left to the caller's open
}

}  // namespace
}  // namespace yici
