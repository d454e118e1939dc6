// yici-ctl's answers to a command line that is wrong before any hub is asked: the real binary.
#include <doctest/doctest.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {
namespace {

const std::string kCtl = std::string(YICI_BINARY_DIR) + "/yici-ctl";

struct Run {
  int rc = -1;
  std::string err;
};

Run ctl(const TempDir& dir, const std::string& args) {
  Run r;
  r.rc = run_command("{ " + kCtl + " " + args + " > " + dir.file("out") + " 2> " + dir.file("err") + "; }");
  r.err = read_file(dir.file("err"));
  return r;
}

TEST_CASE("yici-ctl usage: a mistyped subcommand is named with the ones it could have been, at every level") {
  TempDir dir;
  const Run top = ctl(dir, "sorces list");
  CHECK(top.rc == 2);
  CHECK(top.err.find("yici-ctl: no subcommand \"sorces\"; one of: ") != std::string::npos);
  CHECK(top.err.find("sources") != std::string::npos);
  CHECK(top.err.find("audit") != std::string::npos);

  const Run sources = ctl(dir, "sources lst");
  CHECK(sources.rc == 2);
  CHECK(sources.err.find("yici-ctl sources: no subcommand \"lst\"; one of: ") != std::string::npos);
  CHECK(sources.err.find("list") != std::string::npos);
  CHECK(sources.err.find("quarantine") != std::string::npos);

  const Run audit = ctl(dir, "audit serch --subject x");
  CHECK(audit.rc == 2);
  CHECK(audit.err.find("yici-ctl audit: no subcommand \"serch\"; one of: search, verify") != std::string::npos);

  // A source id goes into the request's path: one that is no id is refused before any hub is
  // asked ("a?dry_run=true" added a query, "x/versions" reached another endpoint).
  for (const char* id : {"'a b'", "'a?dry_run=true'", "x/versions", "UPPER"}) {
    CAPTURE(id);
    const Run bad_id = ctl(dir, std::string("sources retire ") + id);
    CHECK(bad_id.rc == 2);
    CHECK(bad_id.err.find("is no source id: ids are [a-z0-9-]+") != std::string::npos);
  }

  // What was right before stays right: a missing subcommand, a leaf command's extra word, and
  // a real command, which gets as far as its own checks (a missing file).
  const Run missing = ctl(dir, "sources");
  CHECK(missing.rc == 2);
  CHECK(missing.err.find("A subcommand is required") != std::string::npos);
  const Run extra = ctl(dir, "schema check " + dir.file("absent.yaml"));
  CHECK(extra.err.find("no subcommand") == std::string::npos);
  CHECK(extra.err.find("absent.yaml") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
