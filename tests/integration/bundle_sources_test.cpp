// Matter bundles against the real yici-hub: "not black-listed" is satisfied only when a credit
// source has actually been pulled; with no usable credit source it is missing, source_unavailable.
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

constexpr const char* kSubject = "11010519491231002X";

const std::string kPolicy =
    std::string(kDepartmentPolicy) + "  - {principal: market-regulation, matter: individual-business-registration}\n";

void make_db(const std::string& path, const std::string& sql) {
  auto db = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(db->exec(sql).ok());
}

// The credit-clearance material of the applicant's bundle once operator-identity is on file (the
// population source has been pulled), or an empty object if it never is.
boost::json::object credit_clearance(const HubProcess& hub) {
  const auto market = HubProcess::as("market-regulation");
  for (int i = 0; i < 200; ++i) {
    const HttpResult r =
        https_request(hub.port(), market, "GET",
                      std::string("/v1/matters/individual-business-registration/materials?applicant=") + kSubject);
    REQUIRE(r.status == 200);
    const boost::json::value body = boost::json::parse(r.body);
    const auto& materials = body.at("materials").as_array();
    if (materials.at(0).at("state") == "satisfied") return materials.at(1).as_object();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

void write_sources(TempDir& work, const std::string& credit_db) {
  work.write("sources/psb.yaml", person_source_yaml(work.file("psb.db")));
  work.write(
      "sources/credit.yaml",
      "id: credit\ndepartment: public-security\ndataset: credit\n"
      "adapter: {type: sqlite, path: " +
          credit_db +
          ", table: list}\n"
          "primary_key: [ztdm]\nmapping: {subject_id: ztdm, subject_name: ztmc, list_type: mdlx, listed_on: lrrq, "
          "status: zt}\nschedule: {every: 1h}\n");
}

TEST_CASE("bundle sources: no black-listing counts as clearance only after a credit pull") {
  TempDir work;
  make_db(work.file("psb.db"), "CREATE TABLE person (sfzh TEXT, xm TEXT); INSERT INTO person VALUES ('" +
                                   std::string(kSubject) + "', '张三');");
  // The credit list holds someone else only: the applicant is clear.
  make_db(work.file("credit.db"),
          "CREATE TABLE list (ztdm TEXT, ztmc TEXT, mdlx TEXT, lrrq TEXT, zt TEXT);"
          "INSERT INTO list VALUES ('330102199001011234', '李四', '黑名单', '2025-01-01', '有效');");

  SUBCASE("a credit source that has been pulled: satisfied") {
    write_sources(work, work.file("credit.db"));
    HubProcess hub({.policy = kPolicy, .sources_dir = work.file("sources")});
    boost::json::object credit;
    for (int i = 0; i < 100; ++i) {  // the two first pulls run in either order
      credit = credit_clearance(hub);
      if (credit.contains("state") && credit.at("state") == "satisfied") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(credit.contains("state"));
    CHECK(credit.at("state") == "satisfied");
  }
  SUBCASE("a credit source that cannot be read: missing, source_unavailable") {
    write_sources(work, work.file("no-such-credit.db"));
    HubProcess hub({.policy = kPolicy, .sources_dir = work.file("sources")});
    const auto credit = credit_clearance(hub);
    REQUIRE(credit.contains("state"));
    CHECK(credit.at("state") == "missing");
    CHECK(credit.at("reason") == "source_unavailable");
  }
}

}  // namespace
}  // namespace yici::test
