// A revocation in a row that fails another check reaches lookups and matter bundles: the record
// on file takes the status (the schema's status_from_rejected_rows), the row waits in quarantine.
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

constexpr const char* kEntity = "/v1/records/legal_entity/91350100M000100Y43?purpose=food-business-license";
// The department policy, and credit for the matter's second material.
std::string policy() {
  return std::string(kDepartmentPolicy) +
         "  - principal: market-regulation\n    dataset: credit\n    fields: [subject_id, list_type, status]\n"
         "    purposes: [food-business-license]\n"
         "  - principal: public-security\n    dataset: legal_entity\n    fields: [uscc, name]\n"
         "    purposes: [food-business-license]\n";
}

constexpr const char* kBundle = "/v1/matters/food-business-license/materials?applicant=91350100M000100Y43";

boost::json::object entity(const HubProcess& hub) {
  const HttpResult r = https_request(hub.port(), HubProcess::as("market-regulation"), "GET", kEntity);
  REQUIRE(r.status == 200);
  return boost::json::parse(r.body).at("records").at(0).as_object();
}

std::string business_licence_state(const HubProcess& hub) {
  const HttpResult r = https_request(hub.port(), HubProcess::as("market-regulation"), "GET", kBundle);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const boost::json::value body = boost::json::parse(r.body);
  return std::string(body.at("materials").at(0).at("state").as_string());
}

TEST_CASE("ingest: an entity revoked in a row that fails another check is served revoked, the row quarantined") {
  Departments d;
  HubProcess hub({.policy = policy(), .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  REQUIRE(wait_for(hub.port(), market, kEntity).status == 200);
  REQUIRE(entity(hub).at("status") == "active");
  CHECK(business_licence_state(hub) == "satisfied");

  // The department's next export says 吊销, and its registered capital is not a number.
  auto db = store::sqlite::Connection::open(d.data.file("dept.db"), store::sqlite::Connection::Mode::kReadWrite);
  REQUIRE(db.ok());
  REQUIRE((*db)->exec("UPDATE qy SET djzt = '吊销', zczb = '五百万元整（待核）'").ok());
  const auto admin = HubProcess::as("admin");
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources/amr/pull").status == 202);
  boost::json::object rec;
  for (int i = 0; i < 200; ++i) {
    rec = entity(hub);
    if (rec.at("status") != "active") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(boost::json::serialize(rec));
  CHECK(rec.at("status") == "revoked");
  CHECK(rec.at("fields").at("status") == "revoked");
  CHECK(rec.at("fields").at("name") == "福州某某有限公司");  // the rest as it was
  CHECK(rec.at("provenance").at("version") == 2);
  CHECK(business_licence_state(hub) != "satisfied");
  // A department granted the name but not the status sees neither the revocation nor a new
  // version: the version counts changes to what it is shown.
  const HttpResult other = https_request(hub.port(), HubProcess::as("public-security"), "GET", kEntity);
  REQUIRE(other.status == 200);
  const boost::json::value seen = boost::json::parse(other.body).at("records").at(0);
  INFO(other.body);
  CHECK_FALSE(seen.as_object().contains("status"));
  CHECK(seen.at("fields").at("name") == "福州某某有限公司");
  CHECK(seen.at("provenance").at("version") == 1);

  // The row is in the quarantine with its reason, and the pull says what it did.
  const HttpResult q = https_request(hub.port(), admin, "GET", "/v1/admin/sources/amr/quarantine");
  REQUIRE(q.status == 200);
  INFO(q.body);
  CHECK(q.body.find("registered_capital") != std::string::npos);
  CHECK(hub.log().find(R"("status_set_by_rejected_rows":1)") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
