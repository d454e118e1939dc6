#include "hub/api/matter_handlers.h"

#include <set>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/schema/subject_check.h"
#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/schema/schema_test_util.h"
#include "tests/support/handler_fixture.h"
#include "tests/support/temp_dir.h"

namespace yici::api {
namespace {

constexpr const char* kPolicy = R"(principals:
  - {id: mr, kind: department, cert_cn: mr}
  - {id: hr, kind: department, cert_cn: hr}
  - {id: ps, kind: department, cert_cn: ps}
grants:
  - {principal: mr, matter: food-business-license}
  - {principal: hr, dataset: legal_entity, fields: [uscc], purposes: [food-business-license]}
  - {principal: ps, matter: food-business-license, rate: {per_second: 1, burst: 2}}
)";

const char* const kEntity = "91350100M000100Y43";

struct Fixture : test::HandlerFixture {
  matter::MatterCatalog catalog =
      matter::MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters").value();
  std::shared_ptr<const access::Policy> policy;
  std::set<std::string> unavailable;  // datasets with no current source

  Fixture() : test::HandlerFixture(nullptr) {
    policy = access::Policy::parse(kPolicy, "p.yaml")
                 .value()
                 ->expand_matters([&](const std::string& code) { return catalog.needs(code); })
                 .value();
    services.policy = policy;
    services.dataset_current = [this](const std::string& dataset) { return !unavailable.count(dataset); };
    add_record(
        "legal_entity", kEntity, "hz-amr", "1",
        std::string(R"({"uscc":")") + kEntity + R"(","name":"杭州小馆餐饮有限公司","status":"active","capital":"1"})");
  }

  Response bundle(const std::string& who, const std::string& code, const std::string& applicant) {
    Request req;
    req.method = "GET";
    req.target = "/v1/matters/" + code + "/materials?applicant=" + applicant;
    if (!applicant.empty()) req.query.emplace_back("applicant", applicant);
    req.request_id = "rid";
    req.principal = std::shared_ptr<const access::Principal>(policy, policy->by_id(who));
    return matter_bundle(req, code, catalog, services);
  }
};

TEST_CASE("matter grants expand to exactly the fields the materials need") {
  Fixture f;
  std::vector<const access::Grant*> mine;
  for (const auto& g : f.policy->grants()) {
    if (g.principal == "mr") mine.push_back(&g);
  }
  REQUIRE(mine.size() == 2);  // legal_entity and credit
  for (const auto* g : mine) {
    CHECK(g->purposes == std::vector<std::string>{"food-business-license"});
    CHECK(g->matter.empty());
    CHECK(g->rate.per_second == 0);
  }
  // A matter grant's rate holds for each dataset it expands to (it was dropped when read).
  int limited = 0;
  for (const auto& g : f.policy->grants()) {
    if (g.principal != "ps") continue;
    ++limited;
    CHECK(g.rate.per_second == 1);
    CHECK(g.rate.burst == 2);
  }
  CHECK(limited == 2);
  auto bad = access::Policy::parse(
                 "principals: [{id: a, kind: department, cert_cn: a}]\ngrants:\n  - {principal: a, "
                 "matter: nope}\n",
                 "p.yaml")
                 .value()
                 ->expand_matters(
                     [](const std::string&) -> Result<std::vector<std::pair<std::string, std::vector<std::string>>>> {
                       return Error::not_found("no such matter");
                     });
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("p.yaml:3: grant names matter \"nope\"") != std::string::npos);
}

TEST_CASE("bundle: the clerk sees what is on file and what to bring, only with granted fields") {
  Fixture f;
  auto r = f.bundle("mr", "food-business-license", kEntity);
  REQUIRE(r.status == 200);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "X-Yici-Signature");
  auto body = boost::json::parse(r.body);
  CHECK(body.at("matter").at("code").as_string() == "food-business-license");
  CHECK(body.at("summary").at("satisfied").as_int64() == 2);  // licence on file, no black-list entry
  CHECK(body.at("summary").at("to_bring").as_int64() == 2);
  const auto& materials = body.at("materials").as_array();
  REQUIRE(materials.size() == 4);
  CHECK(materials[0].at("state").as_string() == "satisfied");
  const auto& fields = materials[0].at("record").at("fields").as_object();
  CHECK(fields.at("name").as_string() == "杭州小馆餐饮有限公司");
  CHECK_FALSE(fields.contains("capital"));  // not a field the material shows
  CHECK(materials[2].at("state").as_string() == "submit");
  REQUIRE(f.audit.events.size() == 1);
  CHECK(f.audit.events[0].action == "bundle");
  CHECK(f.audit.events[0].outcome == "allowed");
}

TEST_CASE("bundle: a material's record shows the version of the fields the material shows") {
  Fixture f;
  const auto version = [&] {
    auto r = f.bundle("mr", "food-business-license", kEntity);
    REQUIRE(r.status == 200);
    const boost::json::value body = boost::json::parse(r.body);
    const auto& material = body.at("materials").at(0);
    REQUIRE(material.at("state") == "satisfied");
    return material.at("record").at("provenance").at("version").as_int64();
  };
  const std::string before =
      std::string(R"({"uscc":")") + kEntity + R"(","name":"杭州小馆餐饮有限公司","status":"active",)";
  // The capital is not among the material's fields.
  f.add_record("legal_entity", kEntity, "hz-amr", "1", before + R"("capital":"2"})");
  CHECK(version() == 1);
  f.add_record("legal_entity", kEntity, "hz-amr", "1",
               std::string(R"({"uscc":")") + kEntity +
                   R"(","name":"杭州小馆餐饮管理有限公司","status":"active","capital":"2"})");
  CHECK(version() == 2);
}

TEST_CASE("bundle: with no current credit source, no black-listing on file is not clearance") {
  Fixture f;
  f.unavailable.insert("credit");
  auto r = f.bundle("mr", "food-business-license", kEntity);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("summary").at("satisfied").as_int64() == 1);  // only the licence
  const auto& credit = body.at("materials").as_array()[1];
  CHECK(credit.at("state").as_string() == "missing");
  CHECK(credit.at("reason").as_string() == "source_unavailable");
}

TEST_CASE("bundle: refusals are audited with their codes") {
  Fixture f;
  CHECK(f.bundle("mr", "no-such-matter", kEntity).status == 404);
  CHECK(f.bundle("mr", "food-business-license", "").status == 400);
  CHECK(f.bundle("mr", "food-business-license", "123").status == 400);
  auto r = f.bundle("hr", "food-business-license", kEntity);  // legal_entity granted, credit not
  CHECK(r.status == 403);
  CHECK(boost::json::parse(r.body).at("error").at("code").as_string() == "matter_not_granted");
  REQUIRE(f.audit.events.size() == 4);
  CHECK(f.audit.events[3].outcome == "matter_not_granted");
  // Two applicants: refused, not one of them picked.
  Request two;
  two.method = "GET";
  two.target = "/v1/matters/food-business-license/materials?applicant=a&applicant=b";
  two.query = {{"applicant", kEntity}, {"applicant", "91330106MA2B3C4D5E"}};
  two.request_id = "rid2";
  two.principal = std::shared_ptr<const access::Principal>(f.policy, f.policy->by_id("mr"));
  const Response refused = matter_bundle(two, "food-business-license", f.catalog, f.services);
  CHECK(refused.status == 400);
  CHECK(boost::json::parse(refused.body).at("error").at("message").as_string() == "applicant is given more than once");
  CHECK(f.audit.events.back().outcome == "bad_parameter");
  // Nor any other parameter, answered as if it were absent.
  two.query = {{"applicant", kEntity}, {"materials", "all"}};
  const Response unknown = matter_bundle(two, "food-business-license", f.catalog, f.services);
  CHECK(unknown.status == 400);
  CHECK(std::string(boost::json::parse(unknown.body).at("error").at("message").as_string())
            .find("unknown parameter \"materials\"") == 0);
  CHECK(f.audit.events.size() == 6);
  CHECK(f.signer.signed_bodies.empty());
}

TEST_CASE("bundle: the other kind of applicant's number is named as such") {
  Fixture f;
  f.services.validate_subject = [](std::string_view dataset, std::string_view subject) {
    return schema::check_subject(*schema::test::repo_schema(std::string(dataset)), subject);
  };
  const auto message = [](const Response& r) {
    REQUIRE(r.status == 400);
    const auto error = boost::json::parse(r.body).at("error");
    CHECK(error.at("code").as_string() == "invalid_subject");
    return std::string(error.at("message").as_string());
  };
  // A resident ID for a company's matter, and a credit code for a person's.
  CHECK(message(f.bundle("mr", "food-business-license", "11010519491231002X")) ==
        "this matter's applicant is a company or other organisation: give its unified social credit code, not a "
        "resident ID number");
  CHECK(message(f.bundle("mr", "newborn-one-thing", kEntity)) ==
        "this matter's applicant is a person: give their resident ID number, not a unified social credit code");
  // Neither: the check's own message.
  const std::string bad_checksum = message(f.bundle("mr", "food-business-license", "91350100M000100Y44"));
  CHECK(bad_checksum.rfind("bad_checksum: ", 0) == 0);
  CHECK(bad_checksum.find("this matter's applicant") == std::string::npos);
  CHECK(f.audit.events.back().outcome == "invalid_subject");
}

TEST_CASE("bundle: draws on the rate bucket of each dataset it reads, all or none") {
  Fixture f;
  const auto now = access::RateLimiter::Clock::now();
  const access::RateLimit rate{1, 2};
  int retry = 0;
  // Lookups of legal_entity have spent its bucket: the bundle, which reads legal_entity too, is
  // over the rate (it had a bucket of its own, so a department read the dataset at twice its rate).
  REQUIRE(f.limiter.try_acquire("ps|legal_entity", rate, now, &retry));
  REQUIRE(f.limiter.try_acquire("ps|legal_entity", rate, now, &retry));
  const Response refused = f.bundle("ps", "food-business-license", kEntity);
  CHECK(refused.status == 429);
  CHECK(refused.headers.at(0) == std::pair<std::string, std::string>{"Retry-After", "1"});
  // Nothing was taken from the credit bucket by the refused bundle: both its tokens are there.
  CHECK(f.limiter.try_acquire("ps|credit", rate, now, &retry));
  CHECK(f.limiter.try_acquire("ps|credit", rate, now, &retry));
  CHECK_FALSE(f.limiter.try_acquire("ps|credit", rate, now, &retry));
}

TEST_CASE("matter catalogue lists codes, names and materials") {
  Fixture f;
  auto r = list_matters(f.catalog);
  CHECK(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("matters").as_array().size() == 3);
}

}  // namespace
}  // namespace yici::api
