#include "hub/api/shown_version.h"

#include <doctest/doctest.h>

#include "tests/support/handler_fixture.h"

namespace yici::api {
namespace {

using store::sqlite::Connection;

constexpr const char* kSubject = "110101199003071234";

struct History : test::HandlerFixture {
  History() : HandlerFixture(nullptr) {
    services.status_field_of = [](const std::string&) { return std::string("status"); };
    // Version by version: the phone, the name, the status (in the fields and the record), the phone.
    add_record("population", kSubject, "hz-psb", "k", R"({"name":"a","phone":"1","status":"valid"})");
    add_record("population", kSubject, "hz-psb", "k", R"({"name":"a","phone":"2","status":"valid"})");
    add_record("population", kSubject, "hz-psb", "k", R"({"name":"b","phone":"2","status":"valid"})");
    add_record("population", kSubject, "hz-psb", "k", R"({"name":"b","phone":"2","status":"revoked"})", "revoked");
    add_record("population", kSubject, "hz-psb", "k", R"({"name":"b","phone":"3","status":"revoked"})", "revoked");
  }

  std::int64_t shown(const std::vector<std::string>& granted) {
    auto records = store->find_by_subject("population", kSubject).value();
    REQUIRE(records.size() == 1);
    REQUIRE(records[0].version == 5);
    REQUIRE(show_version(records[0], granted, services).ok());
    return records[0].version;
  }

  void set_changed(const std::string& sql) {
    REQUIRE(store->database().with_writer([&](Connection& w) { return w.exec(sql); }).ok());
  }
};

TEST_CASE("shown version: counted from the fields each kept version's successor changed") {
  History h;
  CHECK(h.shown({"name"}) == 2);
  CHECK(h.shown({"name", "status"}) == 3);  // and the revocation
  CHECK(h.shown({"phone"}) == 3);
  CHECK(h.shown({"phone", "name"}) == 4);
  CHECK(h.shown({"gender"}) == 1);
  CHECK(h.shown({}) == 1);
  // The names kept decide: with none kept for any version, only the status still counts.
  h.set_changed("UPDATE record_history SET changed = '[]'");
  CHECK(h.shown({"name", "phone"}) == 1);
  CHECK(h.shown({"name", "status"}) == 2);
}

TEST_CASE(
    "shown version: where a kept version's changes are not known, its fields are compared, with the same result") {
  History h;
  const std::vector<std::vector<std::string>> grants = {{"name"}, {"name", "status"}, {"phone"}, {"gender"}};
  const auto shown_to_each = [&] {
    std::vector<std::int64_t> out;
    out.reserve(grants.size());
    for (const auto& g : grants) out.push_back(h.shown(g));
    return out;
  };
  const auto from_names = shown_to_each();
  SUBCASE("one version's") { h.set_changed("UPDATE record_history SET changed = NULL WHERE version = 2"); }
  SUBCASE("the newest kept version's") { h.set_changed("UPDATE record_history SET changed = NULL WHERE version = 4"); }
  SUBCASE("every version's") { h.set_changed("UPDATE record_history SET changed = NULL"); }
  const auto from_fields = shown_to_each();
  CHECK(from_fields == from_names);
  CHECK(from_fields == std::vector<std::int64_t>{2, 3, 3, 1});
}

}  // namespace
}  // namespace yici::api
