#include "hub/admin/source_paths.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::admin {
namespace {

class FilesAdapter final : public adapters::Adapter {
 public:
  explicit FilesAdapter(std::vector<std::string> files) : files_(std::move(files)) {}
  Result<std::unique_ptr<adapters::RowReader>> read(const adapters::ReadRequest&) override {
    return Error::internal("not read in this test");
  }
  Result<std::vector<adapters::ColumnInfo>> describe() override { return Error::internal("not described"); }
  [[nodiscard]] std::vector<std::string> local_files() const override { return files_; }

 private:
  std::vector<std::string> files_;
};

std::vector<SourceProblem> check(const std::vector<std::string>& files, const std::vector<std::string>& allowed) {
  ingest::SourceDefinition d;
  d.adapter = std::make_shared<FilesAdapter>(files);
  return check_api_source_paths(d, allowed);
}

TEST_CASE("api source paths: inside an allowed directory passes, outside or a look-alike sibling does not") {
  test::TempDir dir;
  const std::string root = dir.path().string();
  std::filesystem::create_directories(root + "/exports/rk");
  std::filesystem::create_directories(root + "/exports-other");
  const std::vector<std::string> allowed = {root + "/exports/"};  // a trailing slash changes nothing
  CHECK(check({root + "/exports/rk/person.db", root + "/exports/not-yet-there.csv"}, allowed).empty());
  CHECK(check({root + "/exports/rk/../rk/person.db"}, allowed).empty());
  CHECK(check({root + "/exports"}, allowed).empty());  // the directory itself (a CSV directory source)

  CHECK(check({root + "/exports-other/x.csv"}, allowed).size() == 1);  // shares the prefix, not the directory
  CHECK(check({root + "/exports/../secret.key"}, allowed).size() == 1);
  CHECK(check({"/etc/passwd"}, allowed).size() == 1);
  CHECK(check({"relative.db"}, allowed).size() == 1);  // against the hub's working directory
  // A link inside that leads out is judged by where it leads.
  std::filesystem::create_symlink("/etc/passwd", root + "/exports/rk/passwd.csv");
  const auto linked = check({root + "/exports/rk/passwd.csv"}, allowed);
  REQUIRE(linked.size() == 1);
  CHECK(linked[0].path == "adapter");
  CHECK(linked[0].message.find("is outside the directories") != std::string::npos);
  // Each file is checked: one good, two bad gives two problems.
  CHECK(check({root + "/exports/rk/a.db", "/etc/shadow", "/root/.ssh/id_rsa"}, allowed).size() == 2);
  // No directories allowed: any file is refused, and the message says what to configure.
  const auto none = check({root + "/exports/rk/person.db"}, {});
  REQUIRE(none.size() == 1);
  CHECK(none[0].message.find("ingest.api_source_paths") != std::string::npos);
  CHECK(check({}, {}).empty());  // a network source names no files
}

}  // namespace
}  // namespace yici::admin
