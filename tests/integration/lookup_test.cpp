// Signed lookups end to end: a real SQLite department table pulled through the population and
// legal-entity schemas by a real hub, asked for over mTLS, verified offline with yici-verify.
#include <map>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

std::string error_code(const HttpResult& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

TEST_CASE("lookup: a granted department gets only its fields, signed, with provenance and an audit index") {
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  const HttpResult r = wait_for(hub.port(), market, target);
  INFO(r.body);
  INFO(hub.log());
  REQUIRE(r.status == 200);
  const auto body = boost::json::parse(r.body).as_object();
  CHECK(body.at("requester") == "market-regulation");
  CHECK(body.at("purpose") == "food-business-license");
  CHECK(body.at("subject") == "11010519491231002X");
  CHECK(body.at("audit_index").is_int64());
  CHECK(body.at("request_digest").as_string().size() == 64);
  const auto& rec = body.at("records").at(0).as_object();
  const auto& fields = rec.at("fields").as_object();
  CHECK(fields.at("name") == "张三");          // normalised by the schema
  CHECK(fields.at("gender") == "F");           // GB/T 2261.1 code 2
  CHECK_FALSE(fields.contains("birth_date"));  // not granted
  CHECK_FALSE(fields.contains("phone"));
  CHECK(rec.at("provenance").at("source") == "psb");
  CHECK(rec.at("provenance").at("department") == "public-security");

  // The detached signature verifies offline against the hub's JWKS; a changed byte does not.
  REQUIRE(r.headers.count("x-yici-signature") == 1);
  TempDir files;
  files.write("body.json", r.body);
  files.write("sig", r.headers.at("x-yici-signature"));
  files.write("jwks.json", https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);
  const std::string verify = std::string(YICI_BINARY_DIR) + "/yici-verify --jwks " + files.file("jwks.json") +
                             " --signature " + files.file("sig") + " ";
  std::string out;
  CHECK(run_command(verify + files.file("body.json"), &out) == 0);
  CHECK(out.find("subject: 11010519491231002X") != std::string::npos);
  std::string tampered = r.body;
  tampered.replace(tampered.find("张三"), std::string("张三").size(), "李四");
  files.write("tampered.json", tampered);
  CHECK(run_command(verify + files.file("tampered.json"), &out) == 1);

  // Accept: application/jose returns the compact JWS itself.
  const HttpResult jose = https_request(hub.port(), market, "GET", target, "", {{"Accept", "application/jose"}});
  REQUIRE(jose.status == 200);
  CHECK(std::count(jose.body.begin(), jose.body.end(), '.') == 2);
  files.write("r.jose", jose.body);
  CHECK(run_command(std::string(YICI_BINARY_DIR) + "/yici-verify --jwks " + files.file("jwks.json") + " " +
                        files.file("r.jose"),
                    &out) == 0);
}

TEST_CASE("lookup: HEAD answers the GET's headers without its body, and is audited as an access") {
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  const HttpResult get = wait_for(hub.port(), market, target);
  REQUIRE(get.status == 200);

  // On one keep-alive connection: were any body bytes sent after the HEAD answer, the next answer
  // would not parse.
  TlsConnection conn(hub.port(), market);
  conn.send_raw("HEAD " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto head = conn.read_response(true);
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
  // The same length as a GET answer's: it differs from `get` only in its request id and audit index.
  const auto length = std::stoul(head->headers.at("content-length"));
  CHECK(length + 12 > get.body.size());
  CHECK(length < get.body.size() + 12);
  CHECK(head->headers.count("x-yici-signature") == 1);
  conn.send_raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto after = conn.read_response();
  REQUIRE(after);
  CHECK(after->status == 200);
  CHECK(after->body.find("ok") != std::string::npos);

  // A HEAD that is refused is refused as the GET is.
  conn.send_raw("HEAD /v1/records/population/11010519491231002X?purpose=no-such-matter HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto refused = conn.read_response(true);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(refused->body.empty());

  // Three accesses of this subject are in the audit log: the GET, the HEAD and the refused HEAD.
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET",
                                    "/v1/audit/events?subject=11010519491231002X&action=lookup&limit=100");
  REQUIRE(events.status == 200);
  INFO(events.body);
  const auto items = boost::json::parse(events.body).at("items").as_array();
  CHECK(items.size() == 3);

  // curl -I, as an operator's probe would.
  std::string out;
  CHECK(run_command("curl -sS -I --max-time 10 --cacert " + pki("ca.crt") +
                        " https://127.0.0.1:" + std::to_string(hub.port()) + "/healthz",
                    &out) == 0);
  INFO(out);
  CHECK(out.starts_with("HTTP/1.1 200"));
  CHECK(out.find("Content-Length: ") != std::string::npos);
}

TEST_CASE("lookup: refusals are precise, and none of them leaks data") {
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  REQUIRE(
      wait_for(hub.port(), market, "/v1/records/population/11010519491231002X?purpose=food-business-license").status ==
      200);
  const auto get = [&](const TlsOptions& who, const std::string& target) {
    return https_request(hub.port(), who, "GET", target);
  };
  HttpResult r = get(market, "/v1/records/population/11010519491231002X");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "purpose_required");
  r = get(market, "/v1/records/population/11010519491231002X?purpose=newborn-one-thing");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "purpose_not_granted");
  // A resident ID asked of the legal-entity dataset is named as one, not as a credit code with a
  // bad checksum; and the other way round.
  r = get(market, "/v1/records/legal_entity/11010519491231002X?purpose=food-business-license");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "invalid_subject");
  INFO(r.body);
  CHECK(r.body.find("this is a 公民身份号码 (id_number, the subject of population), but legal_entity is looked up by "
                    "统一社会信用代码 (uscc)") != std::string::npos);
  r = get(market, "/v1/records/population/91350100M000100Y43?purpose=food-business-license");
  CHECK(r.status == 400);
  CHECK(r.body.find("(uscc, the subject of ") != std::string::npos);
  CHECK(r.body.find("but population is looked up by 公民身份号码 (id_number)") != std::string::npos);
  r = get(market, "/v1/records/credit/11010519491231002X?purpose=food-business-license");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "dataset_not_granted");
  r = get(HubProcess::as("public-security"), "/v1/records/population/11010519491231002X?purpose=food-business-license");
  CHECK(r.status == 403);
  r = get(market, "/v1/records/population/110105194912310021?purpose=food-business-license");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "invalid_subject");
  r = get(market, "/v1/records/population/11010519491231002x?purpose=food-business-license");
  CHECK(r.status == 400);  // canonical form only: the message names it
  CHECK(r.body.find("11010519491231002X") != std::string::npos);
  r = get(market, "/v1/records/population/33010619900101123" + std::string("7") + "?purpose=food-business-license");
  CHECK((r.status == 404 || r.status == 400));
  r = get(market, "/v1/records/no_such_dataset/x?purpose=food-business-license");
  CHECK(r.status == 404);
  r = get(HubProcess::as("admin"), "/v1/records/population/11010519491231002X?purpose=food-business-license");
  CHECK(r.status == 403);
  r = get(HubProcess::as(""), "/v1/records/population/11010519491231002X?purpose=food-business-license");
  CHECK(r.status == 401);
  // Refused before a handler runs, and audited all the same: an admin certificate, and a valid
  // certificate whose CN is in no policy (human-resources), each asking for a subject's records.
  r = https_request(hub.port(), HubProcess::as("human-resources"), "GET",
                    "/v1/records/population/11010519491231002X?purpose=food-business-license", "",
                    {{"X-Request-Id", "unmapped-cn-1"}});
  CHECK(r.status == 403);
  r = https_request(hub.port(), HubProcess::as("auditor"), "GET",
                    "/v1/matters/food-business-license/materials?applicant=11010519491231002X", "",
                    {{"X-Request-Id", "auditor-bundle-1"}});
  CHECK(r.status == 403);
  // A purpose of 3,000 characters is kept as its first 256 bytes and its length.
  r = https_request(hub.port(), market, "GET",
                    "/v1/records/population/11010519491231002X?purpose=" + std::string(3000, 'p'), "",
                    {{"X-Request-Id", "long-purpose-1"}});
  CHECK(r.status == 403);
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  REQUIRE(events.status == 200);
  const boost::json::value page = boost::json::parse(events.body);
  std::map<std::string, boost::json::object> by_request;
  for (const auto& e : page.at("items").as_array())
    by_request[std::string(e.at("request_id").as_string())] = e.as_object();
  REQUIRE(by_request.count("unmapped-cn-1") == 1);
  CHECK(by_request["unmapped-cn-1"].at("action") == "lookup");
  CHECK(by_request["unmapped-cn-1"].at("outcome") == "unknown_principal");
  CHECK(by_request["unmapped-cn-1"].at("subject") == "11010519491231002X");
  CHECK(by_request["unmapped-cn-1"].at("http_status") == 403);
  {
    // yici-ctl's table names that certificate by its fingerprint, not an empty requester column.
    std::string table;
    REQUIRE(run_ctl(hub.port(), "auditor", "audit search --outcome unknown_principal", &table) == 0);
    const std::string fingerprint(by_request["unmapped-cn-1"].at("cert_fingerprint").as_string());
    REQUIRE(fingerprint.size() >= 16);
    CHECK(table.find("\tcert:" + fingerprint.substr(0, 16) + "\tlookup\t") != std::string::npos);
  }
  REQUIRE(by_request.count("auditor-bundle-1") == 1);
  CHECK(by_request["auditor-bundle-1"].at("action") == "bundle");
  CHECK(by_request["auditor-bundle-1"].at("outcome") == "department_only");
  CHECK(by_request["auditor-bundle-1"].at("requester") == "auditor");
  REQUIRE(by_request.count("long-purpose-1") == 1);
  CHECK(std::string(by_request["long-purpose-1"].at("purpose").as_string()) == std::string(256, 'p') + "…(3000 bytes)");
}

TEST_CASE("batch lookups and matter bundles over the same data") {
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  REQUIRE(wait_for(hub.port(), market, "/v1/records/legal_entity/91350100M000100Y43?purpose=food-business-license")
              .status == 200);
  const HttpResult batch = https_request(
      hub.port(), market, "POST", "/v1/lookups",
      R"({"purpose":"food-business-license","items":[{"dataset":"population","subject":"11010519491231002X"},)"
      R"({"dataset":"legal_entity","subject":"91350100M000100Y43"},{"dataset":"legal_entity","subject":"bad"},)"
      R"({"dataset":"credit","subject":"91350100M000100Y43"}]})",
      {{"Content-Type", "application/json"}});
  INFO(batch.body);
  REQUIRE(batch.status == 200);
  CHECK(batch.headers.count("x-yici-signature") == 1);
  const auto items = boost::json::parse(batch.body).at("items").as_array();
  REQUIRE(items.size() == 4);
  CHECK(items[0].at("status") == 200);
  CHECK(items[1].at("records").at(0).at("fields").at("status") == "active");
  CHECK(items[2].at("status") == 400);
  CHECK(items[3].at("status") == 403);

  const HttpResult matters = https_request(hub.port(), market, "GET", "/v1/matters");
  REQUIRE(matters.status == 200);
  CHECK(matters.body.find("food-business-license") != std::string::npos);
}

}  // namespace
}  // namespace yici::test

namespace yici::test {
namespace {

TEST_CASE("lookup: over the granted rate is 429 with Retry-After, audited like any refusal") {
  std::string policy = kDepartmentPolicy;
  const std::string fast = "rate: {per_second: 1000, burst: 1000}";
  policy.replace(policy.find(fast), fast.size(), "rate: {per_second: 1, burst: 2}");
  Departments d;
  HubProcess hub({.policy = policy, .sources_dir = d.sources.path().string()});
  const auto market = HubProcess::as("market-regulation");
  // Every granted request spends a token, found or not (404 before the first pull included).
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  int ok = 0, limited = 0;
  HttpResult last;
  for (int i = 0; i < 6; ++i) {
    last = https_request(hub.port(), market, "GET", target);
    if (last.status == 429) {
      ++limited;
      CHECK(last.headers.count("retry-after") == 1);
      CHECK(boost::json::parse(last.body).at("error").at("code") == "rate_limited");
    } else {
      ++ok;
    }
  }
  CHECK(ok <= 3);  // the burst, and at most one token refilled meanwhile
  CHECK(limited >= 3);
}

}  // namespace
}  // namespace yici::test
