// Source administration over mTLS against the real hub.
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/hub_process.h"
#include "tests/support/silent_endpoint.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

struct SourceFixture {
  TempDir sources;
  TempDir data;
  SourceFixture() {
    auto db = store::sqlite::Connection::open(data.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(
        db->exec("CREATE TABLE person (sfzh TEXT, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT);"
                 "INSERT INTO person VALUES ('11010519491231002X', '张三', '女', '1949-12-31', '2026-01-01 00:00:00');"
                 "INSERT INTO person VALUES ('110105194912310021', '李四', '男', '1949-12-31', '2026-01-01 00:00:00');")
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

TEST_CASE("admin: sources are listed with health and pull history, departments get 403") {
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
      INFO(show.body);
      CHECK(s.at("mapping").at("name").as_string() == "xm");
      CHECK(s.at("health").at("state").as_string() == "ok");
      // Through the population schema: the good row is stored, the bad checksum quarantined.
      const auto& run = s.at("recent_pulls").at(0);
      CHECK_FALSE(run.as_object().contains("error"));
      CHECK(run.at("rows_read").as_int64() == 2);
      CHECK(run.at("rejected").as_int64() == 1);
      CHECK(s.at("quarantined").as_int64() == 1);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(pulled);

  // The rejected row, with its reason, and with the ID number and name masked.
  auto q = https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-psb/quarantine");
  REQUIRE(q.status == 200);
  INFO(q.body);
  auto page = boost::json::parse(q.body);
  REQUIRE(page.at("items").as_array().size() == 1);
  const auto& item = page.at("items").at(0);
  CHECK(item.at("source_key").as_string() == "110***********0021");
  CHECK(item.at("row").at("xm").as_string() == "李*");
  CHECK(item.at("row").at("xb").as_string() == "男");  // not sensitive
  CHECK(item.at("errors").at(0).at("code").as_string() == "bad_checksum");
  CHECK(q.body.find("110105194912310021") == std::string::npos);
  // Nor its birth date, digits 7–14 of the ID, in any column or message.
  CHECK(item.at("row").at("csrq").as_string() == "1********1");
  CHECK(q.body.find("1949-12-31") == std::string::npos);
  CHECK(q.body.find("19491231") == std::string::npos);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-psb/quarantine?limit=0").status == 400);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-psb/quarantine?after=x").status == 400);
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/admin/sources/hz-psb/quarantine")
            .status == 403);

  // The department that owns the source reads the same page on /v1/sources, its next link there.
  const auto own =
      https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/sources/hz-psb/quarantine?limit=1");
  REQUIRE(own.status == 200);
  INFO(own.body);
  const auto own_page = boost::json::parse(own.body);
  CHECK(own_page.at("items").at(0).at("source_key").as_string() == "110***********0021");
  CHECK(own_page.at("items").at(0).at("errors").at(0).at("code").as_string() == "bad_checksum");
  CHECK(own.body.find("110105194912310021") == std::string::npos);
  CHECK(own_page.at("next").as_string().starts_with("/v1/sources/hz-psb/quarantine?limit=1&after="));
  // And, on every page, what there is to fix in all: the total and the rows by reason.
  CHECK(own_page.at("total") == 1);
  REQUIRE(own_page.at("by_reason").as_array().size() == 1);
  CHECK(own_page.at("by_reason").at(0).at("field") == "id_number");
  CHECK(own_page.at("by_reason").at(0).at("code") == "bad_checksum");
  CHECK(own_page.at("by_reason").at(0).at("rows") == 1);
  const auto after =
      https_request(hub.port(), HubProcess::as("public-security"), "GET", std::string(own_page.at("next").as_string()));
  CHECK(after.status == 200);
  CHECK(boost::json::parse(after.body).at("items").as_array().empty());
  CHECK(boost::json::parse(after.body).at("total") == 1);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/sources/hz-psb/quarantine").status == 200);
  // Another department, or an auditor: refused, with the owner named.
  for (const char* other : {"market-regulation", "auditor"}) {
    const auto refused = https_request(hub.port(), HubProcess::as(other), "GET", "/v1/sources/hz-psb/quarantine");
    INFO(other, ": ", refused.body);
    CHECK(refused.status == 403);
    CHECK(boost::json::parse(refused.body).at("error").at("code").as_string() == "not_source_department");
    CHECK(refused.body.find("belongs to department public-security") != std::string::npos);
    CHECK(refused.body.find("0021") == std::string::npos);
  }
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/sources/nope/quarantine").status ==
        404);
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", "/v1/sources/hz-psb/quarantine?limit=0")
            .status == 400);
  // The department's own summary through the CLI.
  std::string out;
  CHECK(run_ctl(hub.port(), "public-security", "sources quarantine hz-psb --by-reason", &out) == 0);
  CHECK(out == "quarantined 1 rows\nROWS\tFIELD\tCODE\n1\tid_number\tbad_checksum\n");
  CHECK(run_ctl(hub.port(), "public-security", "sources quarantine hz-psb --by-reason --output json", &out) == 0);
  INFO(out);
  const auto summary = boost::json::parse(out);
  CHECK(summary.at("source") == "hz-psb");
  CHECK(summary.at("total") == 1);
  CHECK(summary.at("by_reason").at(0).at("code") == "bad_checksum");
  CHECK_FALSE(summary.as_object().contains("items"));
  CHECK(run_ctl(hub.port(), "market-regulation", "sources quarantine hz-psb --by-reason", &out) == 1);
}

std::string ctl(const HubProcess& hub, const std::string& who, const std::string& args, int* rc) {
  std::string out;
  *rc = run_ctl(hub.port(), who, args, &out);
  return out;
}

TEST_CASE(
    "yici-ctl sources show: a pull's repeated keys and warnings are in its history, the quarantine by reason, and "
    "a metric") {
  SourceFixture f;
  // The department's table has no key constraint: 张三 is there twice, under two names.
  auto db = store::sqlite::Connection::open(f.data.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(db->exec("INSERT INTO person VALUES ('11010519491231002X', '张三丰', '女', '1949-12-31', "
                   "'2026-01-01 00:00:01')")
              .ok());
  HubProcess hub({.sources_dir = f.sources.path().string()});
  int rc = -1;
  std::string show;
  for (int i = 0; i < 100 && show.find("WARNING") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    show = ctl(hub, "admin", "sources show hz-psb", &rc);
  }
  INFO(show);
  CHECK(rc == 0);
  CHECK(show.find("read 3, +1 ~0 =0 rejected 1 repeated keys 1\n") != std::string::npos);
  CHECK(show.find("\n    WARNING: duplicate_keys: 1 rows shared a primary key with other content") !=
        std::string::npos);
  const auto body =
      boost::json::parse(https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources/hz-psb").body);
  const auto& pull = body.at("recent_pulls").at(0);
  CHECK(pull.at("duplicates") == 1);
  REQUIRE(pull.at("warnings").as_array().size() == 1);
  CHECK(pull.at("warnings").at(0).as_string().starts_with("duplicate_keys: 1 rows"));
  // The quarantine by reason (李四's ID fails its checksum), and its size as a metric.
  CHECK(show.find("quarantined 1 rows\n  1\tid_number\tbad_checksum\n") != std::string::npos);
  const auto& reasons = body.at("quarantine_by_reason").as_array();
  REQUIRE(reasons.size() == 1);
  CHECK(reasons[0].at("field") == "id_number");
  CHECK(reasons[0].at("code") == "bad_checksum");
  CHECK(reasons[0].at("rows") == 1);
  const auto metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics");
  CHECK(metrics.body.find("yici_source_quarantined_rows{source=\"hz-psb\"} 1\n") != std::string::npos);
  // The list of sources does not scan quarantines for reasons.
  const auto list =
      boost::json::parse(https_request(hub.port(), HubProcess::as("admin"), "GET", "/v1/admin/sources").body);
  CHECK_FALSE(list.at("sources").at(0).as_object().contains("quarantine_by_reason"));
  // A clean source's pulls carry no warnings, and no repeated keys on the line.
  SourceFixture clean;
  HubProcess quiet({.sources_dir = clean.sources.path().string()});
  std::string quiet_show;
  for (int i = 0; i < 100 && quiet_show.find("read 2") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    quiet_show = ctl(quiet, "admin", "sources show hz-psb", &rc);
  }
  INFO(quiet_show);
  CHECK(quiet_show.find("read 2, +1 ~0 =0 rejected 1\n") != std::string::npos);
  CHECK(quiet_show.find("WARNING") == std::string::npos);
}

TEST_CASE("yici-ctl sources: list, show and pull as admin, refused for a department, exit 3 when unreachable") {
  SourceFixture f;
  HubProcess hub({.sources_dir = f.sources.path().string()});
  int rc = -1;
  auto list = ctl(hub, "admin", "sources list", &rc);
  CHECK(rc == 0);
  CHECK(list.find("ID") != std::string::npos);
  CHECK(list.find("hz-psb") != std::string::npos);
  auto json = ctl(hub, "admin", "sources list --output json", &rc);
  CHECK(rc == 0);
  CHECK(boost::json::parse(json).at("sources").as_array().size() == 1);
  auto show = ctl(hub, "admin", "sources show hz-psb", &rc);
  CHECK(rc == 0);
  CHECK(show.find("name←xm") != std::string::npos);
  ctl(hub, "admin", "sources pull hz-psb", &rc);
  CHECK(rc == 0);
  std::string quarantined;
  for (int i = 0; i < 100 && quarantined.find("bad_checksum") == std::string::npos; ++i) {
    quarantined = ctl(hub, "admin", "sources quarantine hz-psb", &rc);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(rc == 0);
  CHECK(quarantined.find("110***********0021\t-\tid_number\tbad_checksum") != std::string::npos);
  // As JSON: one array (not a line per entry), the key masked, no place for a SQLite row.
  const auto as_json = ctl(hub, "admin", "sources quarantine hz-psb --output json", &rc);
  CHECK(rc == 0);
  INFO(as_json);
  const boost::json::value entries = boost::json::parse(as_json);
  REQUIRE(entries.is_array());
  REQUIRE(entries.as_array().size() == 1);
  CHECK(entries.at(0).at("source_key") == "110***********0021");
  CHECK_FALSE(entries.at(0).as_object().contains("place"));
  auto missing = ctl(hub, "admin", "sources show nope", &rc);
  CHECK(rc == 1);
  CHECK(missing.find("unknown_source") != std::string::npos);
  auto dept = ctl(hub, "market-regulation", "sources list", &rc);
  CHECK(rc == 1);
  CHECK(dept.find("admin_only") != std::string::npos);
  // A department reads its own source's quarantine with its own certificate, not another's.
  const auto own = ctl(hub, "public-security", "sources quarantine hz-psb", &rc);
  CHECK(rc == 0);
  CHECK(own.find("110***********0021\t-\tid_number\tbad_checksum") != std::string::npos);
  const auto others = ctl(hub, "market-regulation", "sources quarantine hz-psb", &rc);
  CHECK(rc == 1);
  CHECK(others.find("not_source_department") != std::string::npos);
  std::string out;
  // A flag on the command line beats the environment, for every sources command: here the
  // environment names a hub that is not there, with a department's certificate.
  const std::string wrong_env = "YICI_HUB=https://127.0.0.1:" + std::to_string(free_port()) +
                                " YICI_CERT=" + pki("market-regulation.crt") +
                                " YICI_KEY=" + pki("market-regulation.key") + " ";
  for (const char* command : {"sources list", "sources show hz-psb", "sources pull hz-psb", "reload"}) {
    rc = run_command(wrong_env + std::string(YICI_BINARY_DIR) + "/yici-ctl " + command +
                         " --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " + pki("admin.crt") +
                         " --key " + pki("admin.key") + " --ca " + pki("ca.crt"),
                     &out);
    INFO(command, ": ", out);
    CHECK(rc == 0);
    CHECK(out.find("cannot reach the hub") == std::string::npos);
  }
  rc = run_ctl(free_port(), "admin", "sources list", &out);
  CHECK(rc == 3);
  CHECK(out.find("cannot reach the hub") != std::string::npos);
  // A --ca that did not issue the hub's certificate: the hub answered, so not "cannot reach".
  rc = run_command(std::string(YICI_BINARY_DIR) +
                       "/yici-ctl sources list --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " +
                       pki("admin.crt") + " --key " + pki("admin.key") + " --ca " + pki("rogue-ca.crt"),
                   &out);
  CHECK(rc == 1);
  CHECK(out.find("answered, but its certificate is not issued by --ca " + pki("rogue-ca.crt")) != std::string::npos);
  // A client certificate the hub refuses in the handshake: refused (1), not "cannot reach" (3).
  rc = run_command(std::string(YICI_BINARY_DIR) +
                       "/yici-ctl sources list --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " +
                       pki("rogue.crt") + " --key " + pki("rogue.key") + " --ca " + pki("ca.crt"),
                   &out);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("refused the client certificate " + pki("rogue.crt")) != std::string::npos);
  CHECK(out.find("cannot reach the hub") == std::string::npos);
  // An expired certificate is named as such before connecting, not reported as a hub out of reach.
  rc = run_command(std::string(YICI_BINARY_DIR) +
                       "/yici-ctl sources list --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " +
                       pki("expired.crt") + " --key " + pki("expired.key") + " --ca " + pki("ca.crt"),
                   &out);
  CHECK(rc == 2);
  CHECK(out.find("your client certificate " + pki("expired.crt") + " expired on Feb  1 00:00:00 2020 GMT") !=
        std::string::npos);
  CHECK(out.find("cannot reach the hub") == std::string::npos);
  rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl sources frobnicate", &out);
  CHECK(rc == 2);
  rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl sources list --timeout 0 --cert a --key b", &out);
  CHECK(rc == 2);
  CHECK(out.find("--timeout") != std::string::npos);
}

TEST_CASE("yici-ctl: --timeout bounds the wait for a hub that accepts connections but never answers") {
  SilentEndpoint silent;
  std::string out;
  const auto started = std::chrono::steady_clock::now();
  const int rc = run_ctl(silent.port(), "admin", "sources list --timeout 1", &out);
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(rc == 3);
  CHECK(out.find("--timeout 1 s") != std::string::npos);
  // The default is 30 s: a wait this short can only be the flag's.
  CHECK(waited < std::chrono::seconds(15));
}

TEST_CASE("yici-ctl sources: add (refused key by key, dry run, saved), show, disable, update, retire") {
  SourceFixture f;
  HubProcess hub({.extra_config = "ingest: {api_source_paths: [" + f.data.path().string() + "]}\n"});
  int rc = -1;
  const std::string body =
      "id: hz-ctl\ndepartment: public-security\ndataset: population\n"
      "adapter: {type: sqlite, path: " +
      f.data.file("psb.db") +
      ", table: person}\nprimary_key: [sfzh]\n"
      "mapping: {id_number: sfzh, name: xm2, gender: xb, birth_date: csrq}\n";
  f.data.write("bad.yaml", body);
  auto refused = ctl(hub, "admin", "sources add " + f.data.file("bad.yaml"), &rc);
  CHECK(rc == 1);
  CHECK(refused.find("source hz-ctl: mapping.name: column \"xm2\" not found in table person; columns are: sfzh, xm, "
                     "xb, csrq, gxsj") != std::string::npos);
  CHECK(refused.find("nothing was saved") != std::string::npos);

  std::string good = body;
  good.replace(good.find("xm2"), 3, "xm");
  f.data.write("good.yaml", good);
  auto dry = ctl(hub, "admin", "sources add --dry-run " + f.data.file("good.yaml"), &rc);
  CHECK(rc == 0);
  CHECK(dry.find("sample of 2 rows: 1 accepted (50.0%), 1 rejected") != std::string::npos);
  CHECK(dry.find("bad_checksum") != std::string::npos);
  CHECK(ctl(hub, "admin", "sources show hz-ctl", &rc).find("unknown_source") != std::string::npos);

  auto added = ctl(hub, "admin", "sources add " + f.data.file("good.yaml"), &rc);
  CHECK(rc == 0);
  CHECK(added.find("source hz-ctl saved as version 1") != std::string::npos);
  auto show = ctl(hub, "admin", "sources show hz-ctl", &rc);
  CHECK(rc == 0);
  CHECK(show.find("registered through the API, version 1") != std::string::npos);
  ctl(hub, "admin", "sources disable hz-ctl", &rc);
  CHECK(rc == 0);
  CHECK(ctl(hub, "admin", "sources show hz-ctl", &rc).find("enabled     no") != std::string::npos);
  auto same = ctl(hub, "admin", "sources update hz-ctl " + f.data.file("good.yaml"), &rc);
  CHECK(rc == 0);
  CHECK(same.find("source hz-ctl unchanged: version 1 is this definition already") != std::string::npos);
  f.data.write("good2.yaml", good + "schedule: {every: 2h}\n");
  auto updated = ctl(hub, "admin", "sources update hz-ctl " + f.data.file("good2.yaml"), &rc);
  CHECK(rc == 0);
  CHECK(updated.find("saved as version 2 (disabled)") != std::string::npos);
  auto versions = ctl(hub, "admin", "sources versions hz-ctl", &rc);
  CHECK(rc == 0);
  CHECK(versions.find("2\tupdated") != std::string::npos);
  CHECK(ctl(hub, "market-regulation", "sources retire hz-ctl", &rc).find("admin_only") != std::string::npos);
  CHECK(rc == 1);
  auto retired = ctl(hub, "admin", "sources retire hz-ctl", &rc);
  CHECK(rc == 0);
  CHECK(retired.find("source hz-ctl retired") != std::string::npos);
  ctl(hub, "admin", "sources enable hz-ctl", &rc);
  CHECK(rc == 1);
  CHECK(ctl(hub, "admin", "sources add " + f.data.file("absent.yaml"), &rc).find("No such file") != std::string::npos);
  CHECK(rc == 2);
  // A directory, or an empty file: a usage error named as such, before the hub is asked.
  CHECK(ctl(hub, "admin", "sources add " + f.data.path().string(), &rc).find("is a directory") != std::string::npos);
  CHECK(rc == 2);
  f.data.write("empty.yaml", "\n");
  CHECK(ctl(hub, "admin", "sources update hz-ctl " + f.data.file("empty.yaml"), &rc).find("is empty") !=
        std::string::npos);
  CHECK(rc == 2);
}

}  // namespace
}  // namespace yici::test
