// Source administration over mTLS against the real hub.
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

struct SourceFixture {
  TempDir sources;
  TempDir data;
  SourceFixture() {
    auto db = store::sqlite::Connection::open(data.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(
        db->exec("CREATE TABLE person (sfzh TEXT, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT);"
                 "INSERT INTO person VALUES ('11010519491231002X', '张三', '女', '1949-12-31', '2026-01-01 00:00:00');")
            .ok());
    sources.write("hz-psb.yaml",
                  "id: hz-psb\ndepartment: public-security\ndataset: population\n"
                  "adapter: {type: sqlite, path: " +
                      data.file("psb.db") +
                      ", table: person}\n"
                      "primary_key: [sfzh]\ncursor: {column: gxsj, overlap: 10m}\n"
                      "mapping: {id_number: sfzh, name: xm, gender: xb, birth_date: csrq}\n"
                      "schedule: {every: 1h}\n");
  }
};

TEST_CASE("admin: sources are listed with health and pull history; departments get 403") {
  SourceFixture f;
  HubProcess hub({.sources_dir = f.sources.path().string()});
  auto admin = HubProcess::as("admin");
  auto list = https_request(hub.port(), admin, "GET", "/v1/admin/sources");
  REQUIRE(list.status == 200);
  auto body = boost::json::parse(list.body);
  REQUIRE(body.at("sources").as_array().size() == 1);
  CHECK(body.at("sources").at(0).at("id").as_string() == "hz-psb");
  CHECK(body.at("sources").at(0).at("managed_by").as_string() == "file");

  auto dept = https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/admin/sources");
  CHECK(dept.status == 403);
  CHECK(boost::json::parse(dept.body).at("error").at("code").as_string() == "admin_only");

  CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/nope/pull").status == 404);
  auto trigger = https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-psb/pull");
  CHECK(trigger.status == 202);
  // The first pull runs at start and the trigger asks for another: wait for the history.
  bool pulled = false;
  for (int i = 0; i < 100 && !pulled; ++i) {
    auto show = https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-psb");
    REQUIRE(show.status == 200);
    auto s = boost::json::parse(show.body);
    pulled = !s.at("recent_pulls").as_array().empty();
    if (pulled) {
      CHECK(s.at("mapping").at("name").as_string() == "xm");
      CHECK(s.at("health").at("state").as_string() != "pending");
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(pulled);
}

}  // namespace
}  // namespace yici::test
