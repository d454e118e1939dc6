#include "hub/store/stores.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

namespace yici::store {
namespace {

TEST_CASE("stores: three files in a private data directory, stable instance id") {
  test::TempDir dir;
  const std::string data = dir.file("data/nested");
  std::string first_id;
  {
    auto s = Stores::open(data);
    REQUIRE(s.ok());
    first_id = s->hub_instance_id;
    CHECK(first_id.size() == 32);
  }
  namespace fs = std::filesystem;
  CHECK(fs::exists(data + "/records.db"));
  CHECK(fs::exists(data + "/audit.db"));
  CHECK(fs::exists(data + "/meta.db"));
  CHECK((fs::status(data).permissions() & fs::perms::others_all) == fs::perms::none);
  // The files too, so that a copy of them is not readable by all (and a file from before, 0644, is tightened).
  for (const char* f : {"/records.db", "/audit.db", "/meta.db"}) {
    CAPTURE(f);
    CHECK((fs::status(data + f).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  }
  fs::permissions(data + "/audit.db", fs::perms::others_read, fs::perm_options::add);
  auto again = Stores::open(data);
  REQUIRE(again.ok());
  CHECK(again->hub_instance_id == first_id);
  CHECK((fs::status(data + "/audit.db").permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("stores: the audit log keeps its id in audit.db, so it survives a meta.db rebuilt or from elsewhere") {
  test::TempDir dir;
  const std::string data = dir.file("data");
  std::string log_id;
  {
    auto s = Stores::open(data).value();
    log_id = s.log_id;
    CHECK(log_id == s.hub_instance_id);  // a new log takes the instance id, as logs always had
  }
  // meta.db lost (or restored from another hub): a new instance id, the same log id.
  std::filesystem::remove(data + "/meta.db");
  std::filesystem::remove(data + "/meta.db-wal");
  std::filesystem::remove(data + "/meta.db-shm");
  auto s = Stores::open(data).value();
  CHECK(s.hub_instance_id != log_id);
  CHECK(s.log_id == log_id);
}

TEST_CASE("stores: a used data directory whose audit.db is gone is refused, unless a new log is asked for") {
  test::TempDir dir;
  const std::string data = dir.file("data");
  std::string old_log_id;
  {
    auto s = Stores::open(data).value();
    old_log_id = s.log_id;
  }
  namespace fs = std::filesystem;
  for (const char* f : {"/audit.db", "/audit.db-wal", "/audit.db-shm"}) fs::remove(data + f);
  // A wrong restore, a wrong volume, a deletion: refused, and nothing is created meanwhile.
  auto refused = Stores::open(data);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("audit.db is missing, but a hub has used this data directory before") !=
        std::string::npos);
  CHECK(refused.error().message.find("--new-audit-log") != std::string::npos);
  CHECK_FALSE(fs::exists(data + "/audit.db"));
  // Asked for: a new, empty log under a new id (a checkpoint saved from the lost log is not this one's).
  {
    auto s = Stores::open(data, {.new_audit_log = true}).value();
    CHECK(s.new_audit_log);
    CHECK(s.log_id != old_log_id);
    CHECK(s.log_id != s.hub_instance_id);
    CHECK(s.log_id.size() == 32);
  }
  // The flag left in place: refused while audit.db is there, so it cannot hide a later loss.
  auto again = Stores::open(data, {.new_audit_log = true});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("--new-audit-log is for a data directory whose audit.db is missing") !=
        std::string::npos);
  // A fresh data directory needs no flag.
  CHECK(Stores::open(dir.file("fresh")).ok());
}

TEST_CASE("stores: the audit writer has an 8 MiB page cache, not the writers' default 32 MiB") {
  test::TempDir dir;
  auto s = Stores::open(dir.file("data"));
  REQUIRE(s.ok());
  const auto cache_size = s->audit->with_writer([](sqlite::Connection& w) {
    auto stmt = w.prepare("PRAGMA cache_size").value();
    REQUIRE(stmt.step().value());
    return stmt.column_int(0);
  });
  CHECK(cache_size == -8192);
}

TEST_CASE("stores: an unusable data directory is an error naming it") {
  test::TempDir dir;
  dir.write("file", "x");
  auto s = Stores::open(dir.file("file") + "/sub");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find(dir.file("file")) != std::string::npos);
}

}  // namespace
}  // namespace yici::store
