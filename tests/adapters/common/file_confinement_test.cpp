// A confined source opens only files inside its directories, judged by what is actually opened:
// links placed or swapped in an allowed directory that lead out of it are refused at the open.
#include "adapters/common/file_confinement.h"

#include <filesystem>
#include <unistd.h>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::adapters {
namespace {

namespace fs = std::filesystem;

struct Dirs {
  test::TempDir allowed;
  test::TempDir outside;
  Dirs() {
    allowed.write("export.csv", "sfzh,xm\n");
    allowed.write("sub/token", "t0ken\n");
    outside.write("secret.key", "the hub's own key\n");
  }
};

std::string read_through(const FileConfinement& c, const std::string& path) {
  auto text = c.read_all(path, 1 << 20);
  return text ? *text : "refused: " + text.error().message;
}

TEST_CASE("file confinement: files inside are read, links out of the directory are refused at the open") {
  const Dirs d;
  const FileConfinement c = FileConfinement::within({d.allowed.path().string() + "/"});
  CHECK(c.confined());
  CHECK(read_through(c, d.allowed.file("export.csv")) == "sfzh,xm\n");
  CHECK(read_through(c, d.allowed.file("sub/token")) == "t0ken\n");
  CHECK(c.check(d.allowed.file("export.csv")).ok());
  // A link to a file inside is fine; one that leads out is refused, naming where it leads.
  fs::create_symlink(d.allowed.file("export.csv"), d.allowed.file("alias.csv"));
  CHECK(read_through(c, d.allowed.file("alias.csv")) == "sfzh,xm\n");
  fs::create_symlink(d.outside.file("secret.key"), d.allowed.file("rk_99.csv"));
  const std::string refused = read_through(c, d.allowed.file("rk_99.csv"));
  CHECK(refused.rfind("refused: " + d.allowed.file("rk_99.csv") + " (which is " + d.outside.file("secret.key") + ")",
                      0) == 0);
  CHECK(refused.find("is outside the directories sources registered through the API may read") != std::string::npos);
  CHECK(refused.find("the hub's own key") == std::string::npos);
  CHECK_FALSE(c.check(d.allowed.file("rk_99.csv")).ok());
  CHECK_FALSE(c.open_read(d.allowed.file("rk_99.csv")).ok());
  // A file swapped for a link after it was checked: the open sees the link.
  REQUIRE(c.check(d.allowed.file("sub/token")).ok());
  fs::remove(d.allowed.file("sub/token"));
  fs::create_symlink(d.outside.file("secret.key"), d.allowed.file("sub/token"));
  CHECK(read_through(c, d.allowed.file("sub/token")).rfind("refused: ", 0) == 0);
  // A directory linked in, and a way out through "..".
  fs::create_symlink(d.outside.path(), d.allowed.file("linked-dir"));
  CHECK(read_through(c, d.allowed.file("linked-dir/secret.key")).rfind("refused: ", 0) == 0);
  CHECK(read_through(c, d.allowed.file("../" + d.outside.path().filename().string() + "/secret.key"))
            .rfind("refused: ", 0) == 0);
}

TEST_CASE("file confinement: contains() judges a path before it exists, read_first_line() reads a secret file") {
  const Dirs d;
  const FileConfinement c = FileConfinement::within({d.allowed.path().string()});
  CHECK(c.contains(d.allowed.file("export.csv")));
  CHECK(c.contains(d.allowed.file("not-yet/there.csv")));  // resolved as far as it exists
  CHECK_FALSE(c.contains(d.outside.file("secret.key")));
  CHECK_FALSE(c.contains(d.allowed.file("../" + d.outside.path().filename().string() + "/secret.key")));
  std::filesystem::create_symlink(d.outside.path(), d.allowed.file("out"));
  CHECK_FALSE(c.contains(d.allowed.file("out/secret.key")));
  CHECK(FileConfinement::none().contains(d.outside.file("secret.key")));
  d.allowed.write("token", "t0ken \r\nsecond line\n");
  CHECK(c.read_first_line(d.allowed.file("token"), 1024).value() == "t0ken");
  CHECK_FALSE(c.read_first_line(d.outside.file("secret.key"), 1024).ok());
}

TEST_CASE("file confinement: a directory whose name starts like an allowed one is not inside it") {
  const Dirs d;
  const std::string sibling = d.allowed.path().string() + "-evil";
  fs::create_directories(sibling);
  std::FILE* f = std::fopen((sibling + "/x.csv").c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs("evil\n", f);
  std::fclose(f);
  const FileConfinement c = FileConfinement::within({d.allowed.path().string()});
  CHECK(read_through(c, sibling + "/x.csv").rfind("refused: ", 0) == 0);
  fs::remove_all(sibling);
}

TEST_CASE("file confinement: none() reads anywhere, within() of no directories reads nothing") {
  const Dirs d;
  CHECK_FALSE(FileConfinement::none().confined());
  CHECK(read_through(FileConfinement::none(), d.outside.file("secret.key")) == "the hub's own key\n");
  const FileConfinement nothing = FileConfinement::within({});
  const std::string refused = read_through(nothing, d.allowed.file("export.csv"));
  CHECK(refused.find("none are listed") != std::string::npos);
  // Missing files and files over the limit are errors, not empty text.
  CHECK(read_through(FileConfinement::none(), d.allowed.file("nope")).find("cannot open") != std::string::npos);
  CHECK_FALSE(FileConfinement::none().read_all(d.allowed.file("export.csv"), 3).ok());
  // The descriptor open_read returns is the caller's: it reads the file.
  auto fd = FileConfinement::within({d.allowed.path().string()}).open_read(d.allowed.file("export.csv"));
  REQUIRE(fd.ok());
  char buf[4] = {};
  CHECK(::read(*fd, buf, 4) == 4);
  CHECK(std::string(buf, 4) == "sfzh");
  ::close(*fd);
}

}  // namespace
}  // namespace yici::adapters
