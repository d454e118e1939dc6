// yici-loadgen's answers to a command line that is wrong, before any connection: the real binary.
#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

TEST_CASE("yici-loadgen usage: unreadable files, half a client identity and bad counts exit 2 with the flag named") {
  TempDir dir;
  const std::string loadgen = std::string(YICI_BINARY_DIR) + "/yici-loadgen ";
  const auto run = [&](const std::string& args, std::string* err) {
    const int rc = run_command("{ " + loadgen + args + " > " + dir.file("out") + " 2> " + dir.file("err") + "; }");
    *err = read_file(dir.file("err"));
    return rc;
  };
  std::string err;
  // These aborted (exit 134) with an uncaught exception.
  CHECK(run("--ca " + dir.file("absent.crt") + " -d 1", &err) == 2);
  CHECK(err.find("--ca " + dir.file("absent.crt") + ": No such file") != std::string::npos);
  CHECK(run("--ca " + pki("ca.crt") + " --cert " + pki("admin.crt") + " --key " + dir.file("absent.key") + " -d 1",
            &err) == 2);
  CHECK(err.find("--key " + dir.file("absent.key")) != std::string::npos);
  CHECK(run("--ca " + pki("ca.crt") + " --cert " + pki("admin.crt") + " -d 1", &err) == 2);
  CHECK(err.find("--cert and --key") != std::string::npos);
  // CLI11's own codes were 104 to 109; counts of 0 and negative durations were accepted.
  CHECK(run("--bogus", &err) == 2);
  CHECK(run("--ca " + pki("ca.crt") + " -c 0", &err) == 2);
  CHECK(err.find("--connections") != std::string::npos);
  CHECK(run("--ca " + pki("ca.crt") + " -d -1", &err) == 2);
  CHECK(err.find("--duration") != std::string::npos);
  CHECK(run("--help", &err) == 0);
}

}  // namespace
}  // namespace yici::test
