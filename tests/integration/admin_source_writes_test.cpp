// Registering, changing and retiring sources through the admin API, against the real hub over
// mTLS: runtime sources are pulled and served without a restart and survive one; every kind of
// bad definition is refused with its key path and nothing is saved; secrets given by reference
// never come back.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/schema/identifiers.h"
#include "hub/store/sqlite/connection.h"
#include "tests/support/hub_process.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

// A valid 18-digit resident ID born on 1980-01-01 with sequence `seq`.
std::string resident_id(int seq) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "11010519800101%03d", seq % 1000);
  return std::string(first17) + schema::resident_id_check_char(first17);
}

// A department database: `good` valid people and one row with a broken ID checksum.
std::string make_department_db(const TempDir& dir, int good) {
  std::string path = dir.file("rk.db");
  auto db = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(db->exec("CREATE TABLE rk_jbxx (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT)").ok());
  for (int i = 1; i <= good; ++i) {
    // The ID's 17th digit is odd for men, even for women: the schema checks the two agree.
    REQUIRE(db->exec("INSERT INTO rk_jbxx VALUES ('" + resident_id(i) + "', '王" + std::to_string(i) + "', '" +
                     (i % 2 == 1 ? "男" : "女") + "', '1980-01-01', '2026-01-01 00:00:00')")
                .ok());
  }
  REQUIRE(db->exec("INSERT INTO rk_jbxx VALUES ('110105198001019990', '坏行', '男', '1980-01-01', "
                   "'2026-01-01 00:00:00')")
              .ok());
  return path;
}

std::string definition(const std::string& id, const std::string& db, const std::string& mapping,
                       const std::string& extra = "") {
  return "id: " + id + "\ndepartment: public-security\ndataset: population\n" + "adapter: {type: sqlite, path: " + db +
         ", table: rk_jbxx}\n" + "primary_key: [sfzh]\ncursor: {column: gxsj, overlap: 10m}\nmapping: " + mapping +
         "\nschedule: {every: 1h}\n" + extra;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

const std::string kMapping = "{id_number: sfzh, name: xm, gender: xb, birth_date: csrq}";

// hub.yaml lines that let sources registered through the API read files in `dept` (and nowhere else).
std::string allow_files_in(const TempDir& dept) {
  return "ingest: {api_source_paths: [" + dept.path().string() + "]}\n";
}

boost::json::value json(const HttpResult& r) { return boost::json::parse(r.body); }

HttpResult lookup(const HubProcess& hub, const std::string& subject) {
  return https_request(hub.port(), HubProcess::as("market-regulation"), "GET",
                       "/v1/records/population/" + subject + "?purpose=food-business-license");
}

template <typename Pred>
bool eventually(Pred pred, int tries = 200) {
  for (int i = 0; i < tries; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The audit entries' actions for one source, oldest first.
std::vector<std::string> audited_actions(const HubProcess& hub, const std::string& source) {
  auto r = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  REQUIRE(r.status == 200);
  std::vector<std::pair<std::int64_t, std::string>> entries;
  const boost::json::value page = json(r);
  for (const auto& e : page.at("items").as_array()) {
    const auto& o = e.as_object();
    if (o.at("dataset") == boost::json::value(source)) {
      entries.emplace_back(o.at("seq").as_int64(),
                           std::string(o.at("action").as_string()) + ":" + std::string(o.at("outcome").as_string()));
    }
  }
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (auto& [seq, action] : entries) out.push_back(std::move(action));
  return out;
}

TEST_CASE("admin API: a source added at runtime is pulled and served at once, kept across a restart, retired") {
  TempDir dept;
  TempDir data;
  const std::string db = make_department_db(dept, 3);
  const auto admin = HubProcess::as("admin");
  const std::string body = definition("hz-rk", db, kMapping);
  {
    HubProcess hub({.extra_config = allow_files_in(dept), .data_dir = data.path().string()});
    // Dry run: the preview, nothing saved.
    auto dry = https_request(hub.port(), admin, "POST", "/v1/admin/sources?dry_run=true", body,
                             {{"Content-Type", "application/yaml"}});
    INFO(dry.body);
    REQUIRE(dry.status == 200);
    auto p = json(dry);
    CHECK(p.at("saved") == false);
    CHECK(p.at("preview").at("rows_sampled") == 4);
    CHECK(p.at("preview").at("accepted") == 3);
    CHECK(p.at("preview").at("rejected") == 1);
    const auto& reason = p.at("preview").at("top_reasons").at(0);
    CHECK(reason.at("field") == "id_number");
    CHECK(reason.at("count") == 1);
    // The sample row is masked: the broken ID and the name are not shown in full.
    const std::string sample = boost::json::serialize(reason.at("samples"));
    CHECK(sample.find("110105198001019990") == std::string::npos);
    CHECK(sample.find("坏行") == std::string::npos);
    CHECK(json(https_request(hub.port(), admin, "GET", "/v1/admin/sources")).at("sources").as_array().empty());
    CHECK(lookup(hub, resident_id(1)).status == 404);
    // A typo in the flag is refused before anything is probed or saved: a preview never goes live.
    for (const char* typo : {"yes", "TRUE", "on"}) {
      auto r = https_request(hub.port(), admin, "POST", std::string("/v1/admin/sources?dry_run=") + typo, body);
      CHECK(r.status == 400);
      CHECK(json(r).at("error").at("message") == "dry_run must be true or false");
    }
    // So is a misspelt or repeated flag: it was ignored, and ?dryrun=true saved the source.
    for (const char* query : {"?dryrun=true", "?dry-run=1", "?dry_run=true&pull=1", "?dry_run=false&dry_run=true"}) {
      auto r = https_request(hub.port(), admin, "POST", std::string("/v1/admin/sources") + query, body);
      INFO(query);
      CHECK(r.status == 400);
      CHECK(json(r).at("error").at("code") == "bad_parameter");
    }
    // A definition without an adapter is refused by name (it was a 500 from the secret check).
    std::string no_adapter = body;
    no_adapter.erase(no_adapter.find("adapter:"),
                     no_adapter.find('\n', no_adapter.find("adapter:")) - no_adapter.find("adapter:") + 1);
    REQUIRE(no_adapter.find("adapter") == std::string::npos);
    for (const char* query : {"?dry_run=true", ""}) {
      auto r = https_request(hub.port(), admin, "POST", std::string("/v1/admin/sources") + query, no_adapter);
      INFO(r.body);
      CHECK(r.status == 422);
      CHECK(json(r).at("error").at("message").as_string().find("adapter") != boost::json::string::npos);
    }
    CHECK(json(https_request(hub.port(), admin, "GET", "/v1/admin/sources")).at("sources").as_array().empty());

    // Saved: pulled at once, served without a restart.
    auto created = https_request(hub.port(), admin, "POST", "/v1/admin/sources", body);
    INFO(created.body);
    REQUIRE(created.status == 201);
    CHECK(json(created).at("version") == 1);
    CHECK(eventually([&] { return lookup(hub, resident_id(2)).status == 200; }));
    auto show = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk"));
    CHECK(show.at("managed_by") == "api");
    CHECK(show.at("version") == 1);
    CHECK(show.at("definition") == boost::json::value(body));
    CHECK(eventually(
        [&] { return json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk")).at("records") == 3; }));

    // A new version (as JSON this time): the mapping without gender; versions are kept.
    const std::string v2 =
        R"({"id":"hz-rk","department":"public-security","dataset":"population",)"
        R"("adapter":{"type":"sqlite","path":")" +
        db +
        R"(","table":"rk_jbxx"},"primary_key":["sfzh"],"cursor":{"column":"gxsj","overlap":"10m"},)"
        R"("mapping":{"id_number":"sfzh","name":"xm","birth_date":"csrq"},"schedule":{"every":"1h"}})";
    auto updated =
        https_request(hub.port(), admin, "PUT", "/v1/admin/sources/hz-rk", v2, {{"Content-Type", "application/json"}});
    INFO(updated.body);
    REQUIRE(updated.status == 200);
    CHECK(json(updated).at("version") == 2);
    auto versions = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk/versions"));
    REQUIRE(versions.at("changes").as_array().size() == 2);
    CHECK(versions.at("changes").at(0).at("definition") == boost::json::value(body));
    CHECK(versions.at("changes").at(1).at("action") == "updated");
    // The same definition again (a script applying its files each run): no version 3, no pull.
    CHECK(eventually([&] {
      return json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk"))
                 .at("recent_pulls")
                 .as_array()
                 .size() >= 2;
    }));
    const auto pulls_before =
        json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk")).at("recent_pulls").as_array().size();
    auto again =
        https_request(hub.port(), admin, "PUT", "/v1/admin/sources/hz-rk", v2, {{"Content-Type", "application/json"}});
    INFO(again.body);
    CHECK(again.status == 200);
    CHECK(json(again).at("unchanged") == true);
    CHECK(json(again).at("saved") == false);
    CHECK(json(again).at("version") == 2);
    CHECK(json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk/versions"))
              .at("changes")
              .as_array()
              .size() == 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(
        json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk")).at("recent_pulls").as_array().size() ==
        pulls_before);

    auto disabled = https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-rk/disable");
    CHECK(disabled.status == 200);
    show = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk"));
    CHECK(show.at("enabled") == false);
    CHECK(show.at("health").at("state") == "disabled");
    CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-rk/pull").status == 409);
    CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-rk/enable").status == 200);
  }
  {
    // Restarted on the same data: the source is there, at version 2, still serving.
    HubProcess hub({.extra_config = allow_files_in(dept), .data_dir = data.path().string()});
    auto show = https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk");
    INFO(show.body);
    REQUIRE(show.status == 200);
    CHECK(json(show).at("version") == 2);
    CHECK(json(show).at("enabled") == true);
    CHECK(json(show).at("mapping").as_object().size() == 3);
    CHECK(lookup(hub, resident_id(3)).status == 200);

    // A yes/no parameter that is neither refuses the request: nothing withdrawn, nothing changed.
    for (const char* query : {"?keep_records=yes", "?keep-records=true", "?keep_records=true&keep_records=false"}) {
      auto typo = https_request(hub.port(), admin, "DELETE", std::string("/v1/admin/sources/hz-rk") + query);
      INFO(query);
      CHECK(typo.status == 400);
      CHECK(json(typo).at("error").at("code") == "bad_parameter");
    }
    CHECK(lookup(hub, resident_id(3)).status == 200);

    // Retired with its records withdrawn: no longer listed or served; its history stays. Four
    // administrators retire it at once: one succeeds, the others find it gone (404), and the audit
    // log holds one retirement.
    std::vector<HttpResult> deletes(4);
    {
      std::vector<std::thread> racers;
      racers.reserve(deletes.size());
      for (auto& d : deletes) {
        racers.emplace_back([&] { d = https_request(hub.port(), admin, "DELETE", "/v1/admin/sources/hz-rk"); });
      }
      for (auto& t : racers) t.join();
    }
    std::sort(deletes.begin(), deletes.end(), [](const auto& a, const auto& b) { return a.status < b.status; });
    const HttpResult& deleted = deletes[0];
    INFO(deleted.body);
    REQUIRE(deleted.status == 200);
    CHECK(json(deleted).at("records_withdrawn") == 3);
    for (std::size_t i = 1; i < deletes.size(); ++i) CHECK(deletes[i].status == 404);
    CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk").status == 404);
    CHECK(lookup(hub, resident_id(3)).status == 404);
    auto versions = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk/versions"));
    CHECK(versions.at("changes").as_array().back().at("action") == "deleted");

    // Every change is in the audit log, in order.
    const std::vector<std::string> expected = {
        "source_create:dry_run",  "source_create:allowed", "source_update:allowed", "source_update:unchanged",
        "source_disable:allowed", "source_enable:allowed", "source_delete:allowed"};
    std::vector<std::string> actions = audited_actions(hub, "hz-rk");
    actions.erase(std::remove_if(actions.begin(), actions.end(),
                                 [](const std::string& a) { return a.rfind("source_pull", 0) == 0; }),
                  actions.end());
    CHECK(actions == expected);
  }
  {
    // Retired for good: a restart does not bring it back.
    HubProcess hub({.extra_config = allow_files_in(dept), .data_dir = data.path().string()});
    CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-rk").status == 404);
  }
}

TEST_CASE("admin API: a CSV directory of GBK and UTF-8 exports with encoding auto serves every resident by name") {
  TempDir dept;
  // The old export tool wrote GBK, the new one UTF-8: one directory, both kinds.
  dept.write("old.csv", "sfzh,xm,xb,csrq\n" + resident_id(1) + ",张三,男,1980-01-01\n");
  std::filesystem::create_directories(dept.file("drop"));
  REQUIRE(run_command("iconv -f UTF-8 -t GBK " + dept.file("old.csv") + " > " + dept.file("drop/rk_01.csv")) == 0);
  dept.write("drop/rk_02.csv", "sfzh,xm,xb,csrq\n" + resident_id(2) + ",李四,女,1980-01-01\n");
  HubProcess hub({.extra_config = allow_files_in(dept)});
  const auto admin = HubProcess::as("admin");
  const std::string body =
      "id: hz-mixed\ndepartment: public-security\ndataset: population\nadapter: {type: csv, "
      "encoding: auto, path: " +
      dept.file("drop") + "}\nprimary_key: [sfzh]\nmapping: " + kMapping + "\nschedule: {every: 1h}\n";
  const auto created = https_request(hub.port(), admin, "POST", "/v1/admin/sources", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const auto name_of = [&](int seq) -> std::string {
    const auto r = lookup(hub, resident_id(seq));
    if (r.status != 200) return "";
    return std::string(json(r).at("records").at(0).at("fields").at("name").as_string());
  };
  REQUIRE(eventually([&] { return name_of(2) == "李四"; }));
  CHECK(name_of(1) == "张三");
  const std::string log = hub.log();
  INFO(log);
  CHECK(log.find("\"event\":\"csv_encoding_detected\"") != std::string::npos);
  CHECK(log.find("rk_01.csv\",\"encoding\":\"gb18030\"") != std::string::npos);
  CHECK(log.find("rk_02.csv\",\"encoding\":\"utf-8\"") != std::string::npos);
  const auto shown = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-mixed"));
  INFO(boost::json::serialize(shown));
  CHECK(boost::json::serialize(shown).find("\"quarantined\":0") != std::string::npos);
}

TEST_CASE("admin API: a link put in an allowed directory after registration is refused when it is opened") {
  TempDir dept;
  std::string csv = "sfzh,xm,xb,csrq\n";
  for (int i = 1; i <= 3; ++i) {
    csv += resident_id(i) + ",王" + std::to_string(i) + "," + (i % 2 == 1 ? "男" : "女") + ",1980-01-01\n";
  }
  dept.write("drop/rk_01.csv", csv);
  HubProcess hub({.extra_config = allow_files_in(dept)});
  const auto admin = HubProcess::as("admin");
  const std::string body =
      "id: hz-drop\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " + dept.file("drop") +
      "}\nprimary_key: [sfzh]\ncursor: {column: _file_mtime}\nmapping: " + kMapping + "\nschedule: {every: 1h}\n";
  const auto created = https_request(hub.port(), admin, "POST", "/v1/admin/sources", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  REQUIRE(eventually([&] { return lookup(hub, resident_id(3)).status == 200; }));
  // Later, someone with write access to the export directory links the hub's own key into it.
  const std::string own_key = hub.dir().file("data") + "/audit-hmac.key";
  std::string key = read_file(own_key);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  REQUIRE(key.size() >= 32);
  std::filesystem::create_symlink(own_key, dept.file("drop/rk_99.csv"));
  // A preview of the directory reads the newest file's header: refused at the open, the key nowhere.
  const auto preview = https_request(hub.port(), admin, "POST", "/v1/admin/sources?dry_run=true",
                                     replaced(body, "id: hz-drop", "id: hz-drop2"));
  CHECK(preview.status == 422);
  CHECK(preview.body.find("is outside the directories sources registered through the API may read") !=
        std::string::npos);
  CHECK(preview.body.find(key) == std::string::npos);
  // The registered source's next pull fails, naming the link; nothing of the key is shown or stored.
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-drop/pull").status == 202);
  std::string shown;
  CHECK(eventually([&] {
    shown = https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-drop").body;
    return shown.find("rk_99.csv (which is " + own_key + ") is outside") != std::string::npos;
  }));
  INFO(shown);
  CHECK(shown.find(key) == std::string::npos);
  CHECK(lookup(hub, resident_id(3)).status == 200);  // what was pulled before stays served
}

TEST_CASE("admin API: disabling a source stops its running pull after the batch it is on") {
  TempDir dept;
  const std::string db = dept.file("big.db");
  {
    auto conn = store::sqlite::Connection::open(db, store::sqlite::Connection::Mode::kReadWrite).value();
    // 400,000 rows (IDs without a valid check digit: quarantined, which takes as long per row).
    REQUIRE(conn->exec("CREATE TABLE rk_jbxx (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT);"
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
                       "INSERT INTO rk_jbxx SELECT printf('110105198001%06d', i), '王', '男', '1980-01-01', "
                       "'2026-01-01 00:00:00' FROM n")
                .ok());
  }
  HubProcess hub({.extra_config = "ingest: {batch_size: 500, api_source_paths: [" + dept.path().string() + "]}\n"});
  const auto admin = HubProcess::as("admin");
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources", definition("hz-big", db, kMapping)).status ==
          201);
  const auto show = [&] { return json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-big")); };
  REQUIRE(eventually([&] { return show().at("health").at("running") == true; }));
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources/hz-big/disable").status == 200);
  // The pull ends soon, part way, saying why; without the stop it read all 400,000 rows first.
  REQUIRE(eventually([&] {
    const auto pulls = show().at("recent_pulls").as_array();
    return !pulls.empty();
  }));
  const auto pull = show().at("recent_pulls").at(0);
  INFO(boost::json::serialize(pull));
  CHECK(pull.at("rows_read").as_int64() < 400000);
  CHECK(std::string(pull.at("error").as_string()).find("stopped after") != std::string::npos);
  CHECK(show().at("health").at("state") == "disabled");
}

TEST_CASE("admin API: records of a source retired with keep_records stay served") {
  TempDir dept;
  const std::string db = make_department_db(dept, 2);
  HubProcess hub({.extra_config = allow_files_in(dept)});
  const auto admin = HubProcess::as("admin");
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources", definition("hz-keep", db, kMapping)).status ==
          201);
  REQUIRE(eventually([&] { return lookup(hub, resident_id(1)).status == 200; }));
  // As after an upgrade, before any pull has remembered the department: retiring remembers it.
  {
    auto records =
        store::sqlite::Connection::open(hub.dir().file("data/records.db"), store::sqlite::Connection::Mode::kReadWrite);
    REQUIRE(records.ok());
    REQUIRE((*records)->exec("DELETE FROM source_departments").ok());
  }
  auto deleted = https_request(hub.port(), admin, "DELETE", "/v1/admin/sources/hz-keep?keep_records=true");
  REQUIRE(deleted.status == 200);
  CHECK(json(deleted).at("records_withdrawn") == 0);
  const auto kept = lookup(hub, resident_id(1));
  REQUIRE(kept.status == 200);
  // Provenance still names the department that delivered the record, not an empty string.
  const auto body = json(kept);
  const auto& provenance = body.at("records").at(0).at("provenance");
  CHECK(provenance.at("source") == "hz-keep");
  CHECK(provenance.at("department") == "public-security");
}

TEST_CASE("admin API: without ingest.api_source_paths, a source registered through the API may not read files") {
  TempDir dept;
  const std::string db = make_department_db(dept, 1);
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  for (const char* target : {"/v1/admin/sources?dry_run=true", "/v1/admin/sources"}) {
    auto r = https_request(hub.port(), admin, "POST", target, definition("hz-file", db, kMapping));
    INFO(r.body);
    CHECK(r.status == 422);
    CHECK(r.body.find("may not read files on the hub's machine until hub.yaml lists the directories") !=
          std::string::npos);
  }
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-file").status == 404);
}

struct BadCase {
  const char* what;
  std::string body;
  std::string path;     // expected problem path
  std::string message;  // expected in that problem's message
};

TEST_CASE("admin API: each kind of bad definition gets 422 with its key path, and nothing is saved") {
  TempDir dept;
  const std::string db = make_department_db(dept, 2);
  HubProcess hub({.extra_config = allow_files_in(dept)});
  const auto admin = HubProcess::as("admin");
  // One good source, so that a duplicate id can be refused.
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources", definition("hz-ok", db, kMapping)).status ==
          201);
  // Files outside the allowed directory: the hub's own audit key (read as a CSV "header"), a
  // link inside the directory that leads out, and a way out through "..".
  const std::string own_key = hub.dir().file("data") + "/audit-hmac.key";
  std::filesystem::create_symlink(own_key, dept.file("looks-local.csv"));
  const auto csv_of = [](const std::string& id, const std::string& path) {
    return "id: " + id + "\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " + path +
           "}\nprimary_key: [_file_mtime]\nmapping: {id_number: _file, name: _file}\n";
  };
  const std::vector<BadCase> cases = {
      {"a file outside the allowed directories", csv_of("hz-p", own_key), "adapter",
       own_key + " is outside the directories sources registered through the API may read"},
      {"a link out of the allowed directory", csv_of("hz-q", dept.file("looks-local.csv")), "adapter",
       "is outside the directories"},
      {"a way out through ..", definition("hz-r", dept.file("../../etc/passwd"), kMapping), "adapter",
       "is outside the directories"},
      {"a token file outside",
       "id: hz-s\ndepartment: public-security\ndataset: population\nadapter: {type: rest, url: "
       "'https://127.0.0.1:1/x', token_file: " +
           own_key + "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n",
       "adapter", "is outside the directories"},
      {"unknown schema field", definition("hz-a", db, "{id_number: sfzh, name: xm, shoe_size: xb}"),
       "mapping.shoe_size", "no such field in schema population"},
      {"required field unmapped", definition("hz-b", db, "{id_number: sfzh}"), "mapping.name", "required field name"},
      {"column missing in the table", definition("hz-c", db, "{id_number: sfzh, name: xm2}"), "mapping.name",
       "column \"xm2\" not found in table rk_jbxx; columns are: sfzh, xm, xb, csrq, gxsj"},
      {"status column missing", definition("hz-d", db, kMapping) + "status: {column: zt, withdrawn: [x]}\n",
       "status.column", "column \"zt\" not found"},
      {"bad id", definition("Bad_Id", db, kMapping), "id", "must match [a-z0-9-]+"},
      {"duplicate id", definition("hz-ok", db, kMapping), "id",
       "already exists (managed by api); change it with yici-ctl sources update (PUT /v1/admin/sources/hz-ok)"},
      {"unknown dataset",
       "id: hz-e\ndepartment: public-security\ndataset: horses\nadapter: {type: sqlite, path: " + db +
           ", table: rk_jbxx}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh}\n",
       "dataset", "has no schema"},
      {"owner is not a department",
       replaced(definition("hz-f", db, kMapping), "department: public-security", "department: auditor"), "department",
       "not a department principal"},
      {"unknown top-level key", definition("hz-g", db, kMapping) + "colour: red\n", "colour", "unknown key"},
      {"unknown adapter type",
       "id: hz-h\ndepartment: public-security\ndataset: population\n"
       "adapter: {type: oracle, path: x}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh}\n",
       "adapter.type", "oracle"},
      {"unsafe column identifier", definition("hz-i", db, "{id_number: \"sfzh; DROP TABLE x\", name: xm}"),
       "mapping.id_number", "plain identifier"},
      {"database file missing", definition("hz-j", dept.file("nope.db"), kMapping), "adapter", "cannot read"},
      {"inline password",
       "id: hz-k\ndepartment: public-security\ndataset: population\n"
       "adapter: {type: postgres, dsn: 'host=127.0.0.1 dbname=x', password: hunter2, table: t}\n"
       "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n",
       "adapter.password", "secrets are not accepted"},
      {"password inside the dsn",
       "id: hz-l\ndepartment: public-security\ndataset: population\n"
       "adapter: {type: postgres, dsn: 'host=127.0.0.1 password=hunter2', table: t}\n"
       "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n",
       "adapter.dsn", "must not contain a password"},
      {"YAML syntax error", "id: [unclosed\n", "", "YAML syntax error"},
      {"a list, not a mapping", "- id: hz-m\n", "", "must be a mapping"},
      {"empty body", "", "", "the body is empty"},
      {"deep nesting", "id: hz-n\nx: " + std::string(200, '[') + std::string(200, ']') + "\n", "", "nesting deeper"},
      {"alias bomb",
       "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
       "", "document too large"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    for (const char* target : {"/v1/admin/sources", "/v1/admin/sources?dry_run=true"}) {
      const auto started = std::chrono::steady_clock::now();
      auto r = https_request(hub.port(), admin, "POST", target, c.body);
      INFO(r.body);
      REQUIRE(r.status == 422);
      CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
      // The refused file was never opened: nothing of the key appears in the answer.
      const std::string key_text = read_file(own_key);
      CHECK(r.body.find(key_text.substr(0, 16)) == std::string::npos);
      auto e = json(r).at("error");
      CHECK(e.at("code") == "invalid_source");
      bool found = false;
      for (const auto& p : e.at("problems").as_array()) {
        if (p.at("path") == boost::json::value(c.path) &&
            std::string(p.at("message").as_string()).find(c.message) != std::string::npos) {
          found = true;
        }
      }
      CHECK(found);
    }
  }
  // A definition with several problems in its parts gets each named at once, with its path.
  {
    auto r = https_request(hub.port(), admin, "POST", "/v1/admin/sources?dry_run=true",
                           replaced(replaced(definition("Bad_Id", db, kMapping), "dataset: population\n", ""),
                                    "every: 1h", "every: 10ms") +
                               "colour: red\n");
    INFO(r.body);
    REQUIRE(r.status == 422);
    std::vector<std::string> paths;
    const boost::json::value body = json(r);
    for (const auto& p : body.at("error").at("problems").as_array()) {
      paths.emplace_back(p.at("path").as_string());
    }
    CHECK(paths == std::vector<std::string>{"colour", "id", "dataset", "schedule.every"});
  }
  // Oversized: refused before parsing.
  auto big = https_request(hub.port(), admin, "POST", "/v1/admin/sources",
                           definition("hz-big", db, kMapping) + "# " + std::string(70000, 'x') + "\n");
  CHECK(big.status == 413);
  // Nothing but the good source was saved, and no refused id has a history.
  auto list = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources"));
  REQUIRE(list.at("sources").as_array().size() == 1);
  CHECK(list.at("sources").at(0).at("id") == "hz-ok");
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-a/versions").status == 404);
  // A refused PUT leaves the stored version as it was.
  auto put = https_request(hub.port(), admin, "PUT", "/v1/admin/sources/hz-ok",
                           definition("hz-ok", db, "{id_number: sfzh, name: xm, shoe_size: xb}"));
  CHECK(put.status == 422);
  CHECK(json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-ok")).at("version") == 1);
  CHECK(
      https_request(hub.port(), admin, "PUT", "/v1/admin/sources/hz-ok", definition("hz-other", db, kMapping)).status ==
      422);
}

TEST_CASE("admin API: departments get 403 for every source write, file-managed sources refuse API writes") {
  TempDir dept;
  TempDir sources;
  const std::string db = make_department_db(dept, 1);
  sources.write("hz-file.yaml", definition("hz-file", db, kMapping));
  HubProcess hub({.sources_dir = sources.path().string()});
  const auto department = HubProcess::as("market-regulation");
  const std::string body = definition("hz-x", db, kMapping);
  CHECK(https_request(hub.port(), department, "POST", "/v1/admin/sources", body).status == 403);
  CHECK(https_request(hub.port(), department, "POST", "/v1/admin/sources?dry_run=true", body).status == 403);
  CHECK(https_request(hub.port(), department, "PUT", "/v1/admin/sources/hz-file", body).status == 403);
  CHECK(https_request(hub.port(), department, "DELETE", "/v1/admin/sources/hz-file").status == 403);
  CHECK(https_request(hub.port(), department, "POST", "/v1/admin/sources/hz-file/disable").status == 403);
  CHECK(https_request(hub.port(), HubProcess::as("auditor"), "POST", "/v1/admin/sources", body).status == 403);

  const auto admin = HubProcess::as("admin");
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"PUT", "/v1/admin/sources/hz-file"},
                                                        {"DELETE", "/v1/admin/sources/hz-file"},
                                                        {"POST", "/v1/admin/sources/hz-file/disable"}}) {
    auto r = https_request(hub.port(), admin, method, target, definition("hz-file", db, kMapping));
    INFO(r.body);
    CHECK(r.status == 409);
    CHECK(json(r).at("error").at("code") == "file_managed");
    CHECK(r.body.find("hz-file.yaml") != std::string::npos);
  }
  {
    // Adding one with the same id points at the file, not at PUT (which answers 409 above).
    auto r = https_request(hub.port(), admin, "POST", "/v1/admin/sources", definition("hz-file", db, kMapping));
    INFO(r.body);
    CHECK(r.status == 422);
    CHECK(r.body.find("already exists (managed by file); change it in " + sources.file("hz-file.yaml") +
                      " and reload the hub") != std::string::npos);
    CHECK(r.body.find("PUT") == std::string::npos);
  }
  auto show = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-file"));
  CHECK(show.at("managed_by") == "file");
  CHECK(show.at("enabled") == true);
}

TEST_CASE(
    "admin API: a PostgreSQL password given through an environment variable never appears in a response "
    "or a log line") {
  PostgresServer pg;
  pg.exec(
      "CREATE TABLE rk (sfzh text PRIMARY KEY, xm text, gxsj timestamp);"
      "INSERT INTO rk VALUES ('" +
      resident_id(7) +
      "', '赵七', '2026-01-01 00:00:00');"
      "GRANT SELECT ON rk TO " +
      PostgresServer::kUser + ";");
  ::setenv("YICI_TEST_PG_PASSWORD", PostgresServer::kPassword, 1);
  ::setenv("YICI_TEST_PG_WRONG", "not-the-password-Xq7", 1);
  ::setenv("YICI_TEST_OTHER_SECRET", "another-departments-secret-Zr4", 1);
  HubProcess hub({.extra_config = "ingest: {api_source_env: [YICI_TEST_PG_*]}\n"});
  const auto admin = HubProcess::as("admin");
  auto body = [&](const std::string& env) {
    return "id: pg-rk\ndepartment: public-security\ndataset: population\n"
           "adapter: {type: postgres, dsn: '" +
           pg.dsn() + " user=" + PostgresServer::kUser + "', password_env: " + env +
           ", table: rk}\nprimary_key: [sfzh]\ncursor: {column: gxsj}\nmapping: {id_number: sfzh, name: xm}\n";
  };
  std::string responses;
  // A variable hub.yaml does not list is refused before anything connects: an administrator's
  // certificate cannot send the hub's other secrets to a server it names.
  auto unlisted =
      https_request(hub.port(), admin, "POST", "/v1/admin/sources?dry_run=true", body("YICI_TEST_OTHER_SECRET"));
  CHECK(unlisted.status == 422);
  CHECK(unlisted.body.find("password_env YICI_TEST_OTHER_SECRET is not one of the variables sources registered "
                           "through the API may read (YICI_TEST_PG_*") != std::string::npos);
  CHECK(unlisted.body.find("another-departments-secret") == std::string::npos);
  // The wrong password: refused by the server, and the refusal says so without any password.
  auto wrong = https_request(hub.port(), admin, "POST", "/v1/admin/sources", body("YICI_TEST_PG_WRONG"));
  INFO(wrong.body);
  CHECK(wrong.status == 422);
  CHECK(wrong.body.find("password authentication failed") != std::string::npos);
  responses += wrong.body;
  auto created = https_request(hub.port(), admin, "POST", "/v1/admin/sources", body("YICI_TEST_PG_PASSWORD"));
  INFO(created.body);
  REQUIRE(created.status == 201);
  responses += created.body;
  CHECK(eventually([&] { return lookup(hub, resident_id(7)).status == 200; }));
  for (const char* target : {"/v1/admin/sources", "/v1/admin/sources/pg-rk", "/v1/admin/sources/pg-rk/versions"}) {
    auto r = https_request(hub.port(), admin, "GET", target);
    CHECK(r.status == 200);
    responses += r.body;
  }
  responses += https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000").body;
  CHECK(responses.find("YICI_TEST_PG_PASSWORD") != std::string::npos);  // the reference is shown
  CHECK(responses.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(responses.find("not-the-password-Xq7") == std::string::npos);
  const std::string log = hub.log();
  CHECK(log.find("source_registered") != std::string::npos);
  CHECK(log.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(log.find("not-the-password-Xq7") == std::string::npos);
  ::unsetenv("YICI_TEST_PG_PASSWORD");
  ::unsetenv("YICI_TEST_PG_WRONG");
}

// The one integer a query gives, from a database a running hub also has open.
std::int64_t query_int(const std::string& path, const std::string& sql) {
  auto db = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadOnly).value();
  auto st = db->prepare(sql).value();
  REQUIRE(st.step().value());
  return st.column_int(0);
}

TEST_CASE("admin API: a retirement killed part way through is finished at the next start") {
  TempDir dept;
  TempDir data;
  constexpr int kPeople = 60000;
  const std::string db = dept.file("big.db");
  {
    auto c = store::sqlite::Connection::open(db, store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(c->exec("CREATE TABLE rk_jbxx (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT);"
                    "BEGIN")
                .ok());
    auto insert = c->prepare("INSERT INTO rk_jbxx VALUES (?1, ?2, NULL, NULL, '2026-01-01 00:00:00')").value();
    for (int i = 0; i < kPeople; ++i) {
      // Born on one of 100 days of 1980, sequence 000-599: all distinct, all with a valid check digit.
      char first17[18];
      std::snprintf(first17, sizeof first17, "110105198001%02d%03d", 1 + i / 600 % 28, i % 600);
      const int month_shift = i / (600 * 28);  // 0..3: months 01-04
      first17[11] = static_cast<char>('1' + month_shift);
      const std::string id = std::string(first17) + schema::resident_id_check_char(first17);
      insert.bind(1, id).bind(2, "王伟");
      REQUIRE(insert.run().ok());
      insert.reset();
    }
    REQUIRE(c->exec("COMMIT").ok());
  }
  const auto admin = HubProcess::as("admin");
  const std::string records_db = data.file("records.db");
  const std::string meta_db = data.file("meta.db");
  const std::string current_sql = "SELECT count(*) FROM records WHERE source = 'hz-big' AND status != 'withdrawn'";
  {
    HubProcess hub({.extra_config = allow_files_in(dept), .data_dir = data.path().string()});
    REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources",
                          definition("hz-big", db, "{id_number: sfzh, name: xm}"))
                .status == 201);
    REQUIRE(eventually([&] { return query_int(records_db, current_sql) == kPeople; }, 600));
    std::thread retiring([&] {
      try {
        (void)https_request(hub.port(), admin, "DELETE", "/v1/admin/sources/hz-big");
      } catch (const std::exception&) {  // no answer: the hub is killed before it gives one
      }
    });
    // Killed once the retirement is recorded and has begun to withdraw the records.
    const auto withdrawing = [&] {
      for (int i = 0; i < 20000; ++i) {
        if (query_int(meta_db, "SELECT count(*) FROM source_retirements") == 1 &&
            query_int(records_db, current_sql) < kPeople) {
          return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return false;
    }();
    hub.signal(SIGKILL);
    retiring.join();
    REQUIRE(withdrawing);
    CHECK(hub.wait_exit(std::chrono::seconds(10)) == -1);  // killed, not exited
    MESSAGE("records still current when killed: " << query_int(records_db, current_sql) << " of " << kPeople);
  }
  HubProcess hub({.extra_config = allow_files_in(dept), .data_dir = data.path().string()});
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-big").status == 404);
  CHECK(query_int(records_db, current_sql) == 0);
  CHECK(query_int(meta_db, "SELECT count(*) FROM source_retirements") == 0);
  auto versions = json(https_request(hub.port(), admin, "GET", "/v1/admin/sources/hz-big/versions"));
  CHECK(versions.at("changes").as_array().back().at("action") == "deleted");
  CHECK(hub.log().find("source_retirement_finished") != std::string::npos);
  // The audit log: allowed (the request), then completed by the hub, under the same request id.
  const auto events = json(
      https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?action=source_delete&limit=10"));
  const auto& items = events.at("items").as_array();
  REQUIRE(items.size() == 2);
  std::vector<std::string> seen;
  for (const auto& e : items) {
    seen.push_back(std::string(e.at("requester").as_string()) + ":" + std::string(e.at("outcome").as_string()));
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"admin:allowed", "hub:restart:completed"});
  CHECK(items.at(0).at("request_id") == items.at(1).at("request_id"));
}

}  // namespace
}  // namespace yici::test
