#include "hub/api/batch_lookup_handler.h"

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
grants:
  - {principal: mr, dataset: population, fields: [name], purposes: [food-license]}
)";

struct Fixture : test::HandlerFixture {
  std::shared_ptr<const access::Policy> policy;

  Fixture() : test::HandlerFixture(access::Policy::parse(kPolicy, "p.yaml").value()) {
    policy = services.policy;
    services.datasets = {"population", "credit"};
    services.batch_limit = 3;
    add_record("population", "11010519491231002X", "psb", "1", R"({"name":"张三","phone":"138"})");
  }

  Response post(const std::string& body, const std::string& content_type = "application/json; charset=utf-8",
                const std::vector<std::pair<std::string, std::string>>& query = {}) {
    Request req;
    req.method = "POST";
    req.target = "/v1/lookups";
    for (const auto& [name, value] : query) req.query.emplace_back(name, value);
    req.body = body;
    req.headers.emplace_back("content-type", content_type);
    req.request_id = "rid";
    req.principal = std::shared_ptr<const access::Principal>(policy, policy->by_id("mr"));
    return batch_lookup(req, services);
  }
};

TEST_CASE("batch: one signed response, a status per item, one audit entry per item") {
  Fixture f;
  auto r = f.post(R"({"purpose":"food-license","items":[
      {"dataset":"population","subject":"11010519491231002X"},
      {"dataset":"population","subject":"110105194912310037"},
      {"dataset":"credit","subject":"11010519491231002X"}]})");
  REQUIRE(r.status == 200);
  REQUIRE(r.headers.size() == 1);
  auto body = boost::json::parse(r.body);
  const auto& items = body.at("items").as_array();
  REQUIRE(items.size() == 3);
  CHECK(items[0].at("status").as_int64() == 200);
  const auto& fields = items[0].at("records").at(0).at("fields").as_object();
  CHECK(fields.size() == 1);
  CHECK(fields.at("name").as_string() == "张三");
  CHECK(items[1].at("status").as_int64() == 404);
  CHECK(items[2].at("status").as_int64() == 403);
  CHECK(items[2].at("error").at("code").as_string() == "dataset_not_granted");
  CHECK(items[0].at("audit_index").as_int64() == 0);
  CHECK(items[2].at("audit_index").as_int64() == 2);
  REQUIRE(f.audit.events.size() == 3);
  CHECK(f.audit.events[0].outcome == "allowed");
  CHECK(f.audit.events[1].outcome == "not_found");
  CHECK(f.audit.events[2].subject == "11010519491231002X");
  CHECK(f.signer.signed_bodies.at(0) == r.body);
  // The digest binds the answer to the items asked for, not only to "POST /v1/lookups".
  const std::string asked =
      R"({"purpose":"food-license","items":[{"dataset":"population","subject":"11010519491231002X"}]})";
  const auto one = boost::json::parse(f.post(asked).body);
  CHECK(one.at("request_digest").as_string() == sha256_hex("POST /v1/lookups\nmr\n" + sha256_hex(asked)));
  CHECK(one.at("request_digest") != body.at("request_digest"));
}

TEST_CASE("batch: a record's version counts only changes to the fields the department is granted") {
  Fixture f;
  const auto version = [&] {
    auto r = f.post(R"({"purpose":"food-license","items":[{"dataset":"population","subject":"11010519491231002X"}]})");
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("items").at(0).at("records").at(0).at("provenance").at("version").as_int64();
  };
  f.add_record("population", "11010519491231002X", "psb", "1", R"({"name":"张三","phone":"139"})");
  CHECK(version() == 1);  // the phone is not granted; the store is at version 2
  f.add_record("population", "11010519491231002X", "psb", "1", R"({"name":"张叁","phone":"139"})");
  CHECK(version() == 2);
}

TEST_CASE("batch: malformed bodies and oversized batches are refused and audited") {
  Fixture f;
  const char* bad[] = {
      "not json",
      R"({"items":"x"})",
      R"({"items":[]})",
      R"({"items":[{"dataset":1}]})",
      R"({"purpose":123,"items":[{"dataset":"population","subject":"11010519491231002X"}]})",
      R"({"purpose":"p","items":[{"dataset":"population","subject":"a"},{"dataset":"population","subject":"b"},{"dataset":"population","subject":"c"},{"dataset":"population","subject":"d"}]})"};
  for (const char* b : bad) {
    CAPTURE(b);
    auto r = f.post(b);
    CHECK(r.status == 400);
  }
  CHECK(boost::json::parse(f.post(bad[5]).body).at("error").at("code").as_string() == "batch_too_large");
  CHECK(boost::json::parse(f.post(bad[4]).body).at("error").at("message").as_string() == "purpose must be a string");
  CHECK(f.audit.events.size() == 8);
  f.audit.fail = true;
  CHECK(f.post(R"({"purpose":"food-license","items":[{"dataset":"population","subject":"11010519491231002X"}]})")
            .status == 503);
}

TEST_CASE("batch: an item over the rate is 429 with a retry_after a program can read") {
  Fixture f;
  f.policy = access::Policy::parse(std::string(kPolicy) +
                                       "  - {principal: mr, dataset: credit, fields: [list_type], "
                                       "purposes: [food-license], rate: {per_second: 1, burst: 1}}\n",
                                   "p.yaml")
                 .value();
  f.services.policy = f.policy;
  const auto r = f.post(R"({"purpose":"food-license","items":[
      {"dataset":"credit","subject":"91350100M000100Y43"},{"dataset":"credit","subject":"91350100M000100Y43"}]})");
  REQUIRE(r.status == 200);
  const boost::json::value body = boost::json::parse(r.body);
  const auto& items = body.at("items").as_array();
  CHECK(items.at(0).at("status") != 429);  // the bucket's one token
  CHECK(items.at(1).at("status") == 429);
  CHECK(items.at(1).at("error").at("code") == "rate_limited");
  CHECK(items.at(1).at("error").at("retry_after") == 1);
  const auto* first_error = items.at(0).as_object().if_contains("error");
  CHECK((first_error == nullptr || !first_error->as_object().contains("retry_after")));
}

TEST_CASE("batch: a member named twice is refused, not read as one of its values") {
  Fixture f;
  for (
      const char* body :
      {R"({"purpose":"food-license","purpose":"other","items":[{"dataset":"population","subject":"11010519491231002X"}]})",
       R"({"purpose":"food-license","items":[{"dataset":"population","subject":"11010519491231002X","subject":"x"}]})"}) {
    CAPTURE(body);
    const Response r = f.post(body);
    CHECK(r.status == 400);
    CHECK(r.body.find("appears twice in one object") != std::string::npos);
  }
  CHECK(f.audit.events.size() == 2);
  CHECK(f.signer.signed_bodies.empty());
}

TEST_CASE("batch: a body that is not sent as JSON is refused (415) and audited, whatever it holds") {
  Fixture f;
  const std::string body =
      R"({"purpose":"food-license","items":[{"dataset":"population","subject":"11010519491231002X"}]})";
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx", "application/json; charset=gbk",
        "application/json;charset=\"GB18030\"", "application/json; boundary=x; charset=latin1"}) {
    CAPTURE(type);
    const Response r = f.post(body, type);
    CHECK(r.status == 415);
    CHECK(boost::json::parse(r.body).at("error").at("code").as_string() == "unsupported_media_type");
  }
  CHECK(f.audit.events.size() == 7);
  CHECK(f.audit.events.back().outcome == "unsupported_media_type");
  CHECK(f.post(body, "Application/JSON").status == 200);
  CHECK(f.post(body, " application/json ;charset=UTF-8").status == 200);
  CHECK(f.post(body, "application/json; charset=\"utf-8\"").status == 200);
  CHECK(f.post(body, "application/json; charset=utf8; q=1").status == 200);
}

TEST_CASE("batch: an unknown member, a query parameter or a byte-order mark is refused by name, and audited") {
  Fixture f;
  const std::string item = R"({"dataset":"population","subject":"11010519491231002X"})";
  const auto refused = [&](const Response& r, const std::string& code, const std::string& says) {
    INFO(r.body);
    CHECK(r.status == 400);
    const auto body = boost::json::parse(r.body);
    CHECK(body.at("error").at("code").as_string() == code);
    CHECK(std::string(body.at("error").at("message").as_string()).find(says) != std::string::npos);
  };
  // "fields":"all" in the batch or in an item was answered as if absent.
  refused(f.post(R"({"purpose":"food-license","fields":"all","items":[)" + item + "]}"), "bad_parameter",
          "the batch has an unknown member \"fields\"; known: purpose, items");
  refused(f.post(R"({"purpose":"food-license","items":[)" + item + "," +
                 R"({"dataset":"population","subject":"11010519491231002X","fields":"all"}]})"),
          "bad_parameter", "item 1 has an unknown member \"fields\"; known: dataset, subject");
  // A purpose in the target was ignored, the body's (here none) used.
  refused(f.post(R"({"items":[)" + item + "]}", "application/json", {{"purpose", "food-license"}}), "bad_parameter",
          "unknown parameter \"purpose\"; this request takes none (a batch's purpose and items are in its JSON body)");
  refused(f.post("\xEF\xBB\xBF"
                 R"({"purpose":"food-license","items":[)" +
                 item + "]}"),
          "bad_request", "byte-order mark");
  CHECK(f.audit.events.size() == 4);
  CHECK(f.signer.signed_bodies.empty());
  // The same batch without them is answered.
  const Response ok = f.post(R"({"purpose":"food-license","items":[)" + item + "]}");
  CHECK(ok.status == 200);
  CHECK(boost::json::parse(ok.body).at("items").at(0).at("status") == 200);
}

}  // namespace
}  // namespace yici::api
