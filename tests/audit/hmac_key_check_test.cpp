#include "hub/audit/hmac_key_check.h"

#include <string>

#include <doctest/doctest.h>

#include "hub/audit/audit_log.h"
#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

const std::string kRight(64, 'r');
const std::string kWrong(64, 'w');

TEST_CASE("hmac key check: an empty log takes the key, and from then on only that key") {
  test::TempDir dir;
  auto stores = store::Stores::open(dir.file("data")).value();
  CHECK(check_hmac_key_matches_log(*stores.audit, kRight, "k").ok());
  CHECK(check_hmac_key_matches_log(*stores.audit, kRight, "k").ok());
  const auto wrong = check_hmac_key_matches_log(*stores.audit, kWrong, "/data/audit-hmac.key");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.rfind("/data/audit-hmac.key is not the key this audit log was written with", 0) == 0);
}

TEST_CASE("hmac key check: offline tools compare a key with the stored check value, read-only") {
  test::TempDir dir;
  auto stores = store::Stores::open(dir.file("data")).value();
  const auto conn =
      store::sqlite::Connection::open(dir.file("data/audit.db"), store::sqlite::Connection::Mode::kReadOnly).value();
  CHECK_FALSE(hmac_key_matches_check_value(*conn, kRight).value().has_value());  // none stored yet
  REQUIRE(check_hmac_key_matches_log(*stores.audit, kRight, "k").ok());
  CHECK(hmac_key_matches_check_value(*conn, kRight).value() == std::optional<bool>(true));
  CHECK(hmac_key_matches_check_value(*conn, kWrong).value() == std::optional<bool>(false));
}

TEST_CASE("hmac key check: a log from before the check value is checked against its first readable subject") {
  test::TempDir dir;
  auto stores = store::Stores::open(dir.file("data")).value();
  {
    auto log = AuditLog::open(*stores.audit, kRight).value();
    api::AuditEvent admin;  // no subject: says nothing about the key
    admin.action = "reload";
    admin.outcome = "allowed";
    REQUIRE(log->append(admin, [](std::int64_t) { return std::string(); }).ok());
    api::AuditEvent e;
    e.action = "lookup";
    e.dataset = "population";
    e.subject = "11010519491231002X";
    e.outcome = "allowed";
    REQUIRE(log->append(e, [](std::int64_t) { return std::string(); }).ok());
  }
  // As an older hub left it: no check value yet.
  stores.audit->with_writer(
      [](store::sqlite::Connection& w) { REQUIRE(w.exec("DELETE FROM log_info WHERE key = 'hmac_key_check'").ok()); });
  const auto wrong = check_hmac_key_matches_log(*stores.audit, kWrong, "k");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("entry 1's subject does not give its subject_hmac") != std::string::npos);
  CHECK(check_hmac_key_matches_log(*stores.audit, kRight, "k").ok());  // and now it holds the check value
  stores.audit->with_writer([](store::sqlite::Connection& w) {
    REQUIRE(w.exec("UPDATE audit_entries SET subject = NULL").ok());  // purged: only the check value is left
  });
  CHECK_FALSE(check_hmac_key_matches_log(*stores.audit, kWrong, "k").ok());
}

}  // namespace
}  // namespace yici::audit
