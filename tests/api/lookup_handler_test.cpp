#include "hub/api/lookup_handler.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/core/sha256.h"
#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/support/handler_fixture.h"
#include "tests/support/temp_dir.h"

namespace yici::api {
namespace {

constexpr const char* kPolicy = R"(principals:
  - {id: mr, kind: department, cert_cn: mr}
  - {id: admin, kind: admin, cert_cn: admin}
  - {id: hr, kind: department, cert_cn: hr}
grants:
  - {principal: mr, dataset: population, fields: [id_number, name], purposes: [food-license], rate: {per_second: 1, burst: 3}}
  - {principal: hr, dataset: legal_entity, fields: [credit_code, status], purposes: [food-license]}
)";

struct Fixture : test::HandlerFixture {
  std::shared_ptr<const access::Policy> policy;

  Fixture() : test::HandlerFixture(access::Policy::parse(kPolicy, "p.yaml").value()) {
    policy = services.policy;
    services.datasets = {"population", "legal_entity"};
    services.department_of = [](const std::string&) { return std::string("public-security"); };
    services.is_stale = [](const store::Record& r) { return r.source == "stale-src"; };
    add_record("population", "11010519491231002X", "hz-psb", "1",
               R"({"id_number":"11010519491231002X","name":"张三","gender":"M","phone":"13800000000"})");
  }

  Response get(const std::string& who, const std::string& dataset, const std::string& subject,
               const std::string& purpose, const std::string& accept = "") {
    Request req;
    req.method = "GET";
    req.target = "/v1/records/" + dataset + "/" + subject + (purpose.empty() ? "" : "?purpose=" + purpose);
    req.path = "/v1/records/" + dataset + "/" + subject;
    if (!purpose.empty()) req.query.emplace_back("purpose", purpose);
    if (!accept.empty()) req.headers.emplace_back("accept", accept);
    req.request_id = "rid-1";
    req.peer.has_certificate = true;
    req.peer.fingerprint_sha256 = "ab";
    req.principal = std::shared_ptr<const access::Principal>(policy, policy->by_id(who));
    return lookup_records(req, dataset, subject, services);
  }
};

std::string code_of(const Response& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

TEST_CASE("lookup: exactly the granted fields, with provenance, signed over the exact body, audited first") {
  Fixture f;
  auto r = f.get("mr", "population", "11010519491231002X", "food-license");
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body).as_object();
  CHECK(body.at("requester").as_string() == "mr");
  CHECK(body.at("purpose").as_string() == "food-license");
  CHECK(body.at("dataset").as_string() == "population");
  CHECK(body.at("subject").as_string() == "11010519491231002X");
  CHECK(body.at("audit_index").as_int64() == 0);
  CHECK(body.at("request_id").as_string() == "rid-1");
  CHECK(body.at("request_digest").as_string() ==
        sha256_hex("GET /v1/records/population/11010519491231002X?purpose=food-license\nmr"));
  const auto& records = body.at("records").as_array();
  REQUIRE(records.size() == 1);
  const auto& fields = records[0].at("fields").as_object();
  CHECK(fields.size() == 2);  // id_number and name; gender and phone are not granted
  CHECK(fields.at("name").as_string() == "张三");
  CHECK_FALSE(fields.contains("phone"));
  const auto& prov = records[0].at("provenance").as_object();
  CHECK(prov.at("source").as_string() == "hz-psb");
  CHECK(prov.at("department").as_string() == "public-security");
  CHECK(prov.at("version").as_int64() == 1);
  CHECK(prov.at("pulled_at").as_string() == "2026-11-22T00:00:00Z");
  CHECK_FALSE(prov.contains("checked_at"));  // no successful pull known: nothing claimed
  CHECK_FALSE(records[0].as_object().contains("stale"));
  // Signed over these exact bytes, which are also what the audit entry hashed.
  REQUIRE(f.signer.signed_bodies.size() == 1);
  CHECK(f.signer.signed_bodies[0] == r.body);
  CHECK(f.audit.bodies[0] == r.body);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].second == "hdr.." + sha256_hex(r.body));
  REQUIRE(f.audit.events.size() == 1);
  CHECK(f.audit.events[0].outcome == "allowed");
  CHECK(f.audit.events[0].fields == std::vector<std::string>{"id_number", "name"});
}

TEST_CASE("lookup: nothing in an answer depends on a field not granted, the status and content hash included") {
  Fixture f;
  f.services.status_field_of = [](const std::string& dataset) {
    return dataset == "legal_entity" ? std::string("status") : std::string();
  };
  // One person held by two sources, alike in the granted fields, unlike in the rest.
  f.add_record("population", "110105194912310021", "hz-psb", "2",
               R"({"id_number":"110105194912310021","name":"李四","gender":"M","phone":"13800000000"})");
  f.add_record("population", "110105194912310021", "nb-psb", "3",
               R"({"id_number":"110105194912310021","name":"李四","gender":"F","phone":"13900000000"})", "revoked");
  const auto records_of = [&](const std::string& who, const std::string& dataset, const std::string& subject) {
    auto r = f.get(who, dataset, subject, "food-license");
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("records").as_array();
  };
  const auto record_of = [&](const std::string& who, const std::string& dataset, const std::string& subject) {
    return records_of(who, dataset, subject).at(0).as_object();
  };
  const auto both = records_of("mr", "population", "110105194912310021");
  REQUIRE(both.size() == 2);
  const auto& a = both[0].as_object();
  const auto& b = both[1].as_object();
  // The hash is of the fields shown, as written in the answer: the same for both, where the
  // stored hash of the whole record let a department confirm guesses of the fields withheld.
  const std::string hash_a(a.at("provenance").at("content_hash").as_string());
  CHECK(hash_a == sha256_hex(boost::json::serialize(a.at("fields"))));
  CHECK(hash_a.size() == 64);
  CHECK(hash_a == std::string(b.at("provenance").at("content_hash").as_string()));
  // Population has no status field granted (none in this schema): no status, though one record
  // is revoked.
  CHECK_FALSE(a.contains("status"));
  CHECK_FALSE(b.contains("status"));

  // Granted the status field, a department sees the status.
  f.add_record("legal_entity", "91350100M000100Y43", "hz-mr", "9",
               R"({"credit_code":"91350100M000100Y43","name":"某公司","status":"revoked"})", "revoked");
  const auto entity = record_of("hr", "legal_entity", "91350100M000100Y43");
  CHECK(entity.at("status") == "revoked");
  CHECK_FALSE(entity.at("fields").as_object().contains("name"));
  f.services.status_field_of = [](const std::string&) { return std::string("registered_capital"); };
  CHECK_FALSE(record_of("hr", "legal_entity", "91350100M000100Y43").contains("status"));
}

TEST_CASE("lookup: the version counts changes to what the department is shown, not to fields withheld") {
  Fixture f;
  f.services.status_field_of = [](const std::string& dataset) {
    return dataset == "legal_entity" ? std::string("status") : std::string();
  };
  const auto version_for = [&](const std::string& who, const std::string& dataset, const std::string& subject) {
    auto r = f.get(who, dataset, subject, "food-license");
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("records").at(0).at("provenance").at("version").as_int64();
  };
  const auto stored_version = [&](const std::string& dataset, const std::string& subject) {
    return f.store->find_by_subject(dataset, subject).value().at(0).version;
  };
  const std::string person = "11010519491231002X";
  const auto store_person = [&](const std::string& name, const std::string& gender, const std::string& phone) {
    f.add_record("population", person, "hz-psb", "1",
                 R"({"id_number":"11010519491231002X","name":")" + name + R"(","gender":")" + gender +
                     R"(","phone":")" + phone + R"("})");
  };
  // The phone and the gender change (not granted to mr): the store counts two versions more, mr
  // sees none.
  store_person("张三", "M", "13900000000");
  store_person("张三", "F", "13900000000");
  CHECK(stored_version("population", person) == 3);
  CHECK(version_for("mr", "population", person) == 1);
  // The name changes: mr sees version 2; the phone changes back: still 2.
  store_person("张叁", "F", "13900000000");
  store_person("张叁", "F", "13800000000");
  CHECK(stored_version("population", person) == 5);
  CHECK(version_for("mr", "population", person) == 2);
  // A name that changes and changes back is two changes seen.
  store_person("张三", "F", "13800000000");
  CHECK(version_for("mr", "population", person) == 3);

  // A company's status changes (a revocation, then its lifting): hr, granted the status field,
  // sees both; a department granted only the code and the name sees none.
  auto policy = access::Policy::parse(std::string(kPolicy) +
                                          "  - {principal: mr, dataset: legal_entity, fields: [credit_code, name], "
                                          "purposes: [food-license]}\n",
                                      "p.yaml");
  REQUIRE(policy.ok());
  f.services.policy = f.policy = std::move(*policy);
  const std::string company = "91350100M000100Y43";
  const std::string fields = R"({"credit_code":"91350100M000100Y43","name":"某公司","status":")";
  f.add_record("legal_entity", company, "hz-mr", "9", fields + R"(active"})", "active");
  f.add_record("legal_entity", company, "hz-mr", "9", fields + R"(revoked"})", "revoked");
  f.add_record("legal_entity", company, "hz-mr", "9", fields + R"(active"})", "active");
  CHECK(stored_version("legal_entity", company) == 3);
  CHECK(version_for("hr", "legal_entity", company) == 3);
  CHECK(version_for("mr", "legal_entity", company) == 1);
}

TEST_CASE("lookup: Accept application/jose returns the compact JWS as the body") {
  Fixture f;
  auto r = f.get("mr", "population", "11010519491231002X", "food-license", "application/jose");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/jose");
  CHECK(r.body.rfind("hdr.{", 0) == 0);
  CHECK(r.headers.empty());
}

TEST_CASE("lookup: every refusal has its status and code and is audited") {
  Fixture f;
  struct Case {
    const char* who;
    const char* dataset;
    const char* subject;
    const char* purpose;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"mr", "cars", "11010519491231002X", "food-license", 404, "unknown_dataset"},
      {"mr", "population", "11010519491231002X", "", 403, "purpose_required"},
      {"mr", "population", "11010519491231002X", "tax", 403, "purpose_not_granted"},
      {"mr", "legal_entity", "91350100M000100Y43", "food-license", 403, "dataset_not_granted"},
      {"admin", "population", "11010519491231002X", "food-license", 403, "not_a_department"},
      {"mr", "population", "123", "food-license", 400, "invalid_subject"},
      {"mr", "population", "110105194912310037", "food-license", 404, "not_found"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.code);
    const auto before = f.audit.events.size();
    auto r = f.get(c.who, c.dataset, c.subject, c.purpose);
    CHECK(r.status == c.status);
    CHECK(code_of(r) == c.code);
    REQUIRE(f.audit.events.size() == before + 1);
    CHECK(f.audit.events.back().outcome == c.code);
    CHECK(f.audit.events.back().http_status == c.status);
    CHECK(f.audit.events.back().fields.empty());
  }
  CHECK(f.signer.signed_bodies.empty());
}

TEST_CASE("lookup: over the rate is 429 with Retry-After") {
  Fixture f;
  for (int i = 0; i < 3; ++i) CHECK(f.get("mr", "population", "11010519491231002X", "food-license").status == 200);
  auto r = f.get("mr", "population", "11010519491231002X", "food-license");
  CHECK(r.status == 429);
  CHECK(code_of(r) == "rate_limited");
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "Retry-After");
  CHECK(r.headers[0].second == "1");
}

TEST_CASE("lookup: fails closed with 503 when the audit log cannot record") {
  Fixture f;
  f.audit.fail = true;
  auto ok = f.get("mr", "population", "11010519491231002X", "food-license");
  CHECK(ok.status == 503);
  CHECK(code_of(ok) == "audit_unavailable");
  auto refused = f.get("mr", "population", "11010519491231002X", "tax");
  CHECK(refused.status == 503);
  CHECK(f.signer.signed_bodies.empty());
}

TEST_CASE("lookup: withdrawn records are not served, stale sources are marked") {
  Fixture f;
  store::Record r;
  r.dataset = "population";
  r.subject = "110105194912310037";
  r.source = "stale-src";
  r.source_key = "9";
  r.pulled_at = "2026-01-01T00:00:00Z";
  r.fields_json = R"({"name":"李四"})";
  store::Record gone = r;
  gone.source = "hz-psb";
  gone.source_key = "10";
  gone.status = "withdrawn";
  REQUIRE(f.store->upsert(std::vector<store::Record>{r, gone}).ok());
  auto resp = f.get("mr", "population", "110105194912310037", "food-license");
  REQUIRE(resp.status == 200);
  const auto parsed = boost::json::parse(resp.body);
  const auto& records = parsed.at("records").as_array();
  REQUIRE(records.size() == 1);
  CHECK(records[0].at("stale").as_bool());
  CHECK(records[0].at("provenance").at("source").as_string() == "stale-src");
}

TEST_CASE("lookup: provenance.checked_at is when the record's source was last read successfully") {
  Fixture f;
  f.services.checked_at = [](const std::string& source) {
    return source == "hz-psb" ? std::string("2026-11-24T09:00:00.000000Z") : std::string();
  };
  auto r = f.get("mr", "population", "11010519491231002X", "food-license");
  REQUIRE(r.status == 200);
  const auto prov = boost::json::parse(r.body).at("records").at(0).at("provenance").as_object();
  // The row itself was last returned earlier (an incremental pull returns changed rows only).
  CHECK(prov.at("pulled_at").as_string() == "2026-11-22T00:00:00Z");
  CHECK(prov.at("checked_at").as_string() == "2026-11-24T09:00:00.000000Z");
  CHECK(f.signer.signed_bodies.at(0) == r.body);
}

TEST_CASE("lookup: two purposes in one request are refused, not one of them picked, and audited") {
  Fixture f;
  Request req;
  req.method = "GET";
  req.target = "/v1/records/population/11010519491231002X?purpose=food-license&purpose=other";
  req.path = "/v1/records/population/11010519491231002X";
  req.query = {{"purpose", "food-license"}, {"purpose", "other"}};
  req.request_id = "rid-2";
  req.peer.has_certificate = true;
  req.principal = std::shared_ptr<const access::Principal>(f.policy, f.policy->by_id("mr"));
  auto services = f.services;
  const Response r = lookup_records(req, "population", "11010519491231002X", services);
  CHECK(r.status == 400);
  CHECK(boost::json::parse(r.body).at("error").at("code").as_string() == "bad_parameter");
  REQUIRE(f.audit.events.size() == 1);
  CHECK(f.audit.events[0].outcome == "bad_parameter");
}

TEST_CASE("lookup: a parameter other than purpose is refused and audited, not answered as if absent") {
  Fixture f;
  for (const auto& extra : std::vector<std::pair<std::string, std::string>>{
           {"fields", "all"}, {"Purpose", "food-license"}, {std::string(300, 'p'), "x"}}) {
    CAPTURE(extra.first.size());
    Request req;
    req.method = "GET";
    req.target = "/v1/records/population/11010519491231002X?purpose=food-license&" + extra.first + "=" + extra.second;
    req.path = "/v1/records/population/11010519491231002X";
    req.query = {{"purpose", "food-license"}, extra};
    req.request_id = "rid-3";
    req.peer.has_certificate = true;
    req.principal = std::shared_ptr<const access::Principal>(f.policy, f.policy->by_id("mr"));
    const Response r = lookup_records(req, "population", "11010519491231002X", f.services);
    CHECK(r.status == 400);
    CHECK(code_of(r) == "bad_parameter");
    CHECK(r.body.find("unknown parameter") != std::string::npos);
    CHECK(r.body.size() < 400);  // a long name is not echoed whole
  }
  REQUIRE(f.audit.events.size() == 3);
  CHECK(f.audit.events[0].outcome == "bad_parameter");
  CHECK(f.signer.signed_bodies.empty());
}

}  // namespace
}  // namespace yici::api
