// Reloading without a restart: key rotation, TLS files and source files, through POST
// /v1/admin/reload, yici-ctl reload and SIGHUP.
#include <csignal>
#include <filesystem>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

std::vector<std::string> kids(const std::string& jwks) {
  std::vector<std::string> out;
  const boost::json::value parsed = boost::json::parse(jwks);
  for (const auto& k : parsed.at("keys").as_array()) {
    out.emplace_back(k.at("kid").as_string());
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

TEST_CASE("reload and pull: nothing is applied or started while the audit log cannot record it") {
  Departments d;
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto admin = HubProcess::as("admin");
  // A rotation waiting in hub.yaml: next → active.
  std::string config = read_file(hub.dir().file("hub.yaml"));
  replace_all(config, "active.key, state: active}", "active.key, state: retired}");
  replace_all(config, "next.key, state: next}", "next.key, state: active}");
  hub.dir().write("hub.yaml", config);
  {
    // Another process holds audit.db's write lock: no entry can be committed (a full disk acts alike).
    auto locker = store::sqlite::Connection::open(hub.dir().file("data") + "/audit.db",
                                                  store::sqlite::Connection::Mode::kReadWrite)
                      .value();
    REQUIRE(locker->exec("BEGIN EXCLUSIVE").ok());
    const HttpResult reload = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
    CHECK(reload.status == 503);
    CHECK(reload.body.find("nothing was reloaded") != std::string::npos);
    const HttpResult pull = https_request(hub.port(), admin, "POST", "/v1/admin/sources/psb/pull");
    CHECK(pull.status == 503);
    CHECK(pull.body.find("not started") != std::string::npos);
    REQUIRE(locker->exec("ROLLBACK").ok());
  }
  // The rotation had not happened: the reload that can be recorded applies it now.
  const HttpResult reload = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(reload.body);
  REQUIRE(reload.status == 200);
  CHECK(boost::json::parse(reload.body).at("signing_keys").at("rotated").as_bool());
  CHECK(hub.log().find("reload_not_applied") != std::string::npos);
  CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/psb/pull").status == 202);
}

TEST_CASE("reload: rotating signing keys makes next active, keeps the old key published, refuses a bad ring") {
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  const auto open = HubProcess::as("");
  const auto before = kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body);
  REQUIRE(before.size() == 2);

  // next → active, active → retired, as an operator would edit hub.yaml.
  std::string config = read_file(hub.dir().file("hub.yaml"));
  replace_all(config, "active.key, state: active}", "active.key, state: retired}");
  replace_all(config, "next.key, state: next}", "next.key, state: active}");
  hub.dir().write("hub.yaml", config);
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("rotated").as_bool());
  const std::string active = std::string(body.at("signing_keys").at("active_kid").as_string());
  const auto after = kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body);
  CHECK(after.size() == 2);  // the retired key stays published: earlier responses still verify
  CHECK(std::find(after.begin(), after.end(), active) != after.end());
  CHECK(std::find(before.begin(), before.end(), active) != before.end());

  // Two active keys: refused, the ring in force stays.
  replace_all(config, "state: retired}", "state: active}");
  hub.dir().write("hub.yaml", config);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("status") == "refused");
  CHECK(body.at("signing_keys").at("active_kid").as_string() == active);
  CHECK(hub.log().find("signing_keys_reload_refused") != std::string::npos);

  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "POST", "/v1/admin/reload").status == 403);

  std::string out;
  const int rc = run_ctl(hub.port(), "admin", "reload", &out);
  CHECK(rc == 1);  // the keys part is still refused
  CHECK(out.find("signing keys: refused") != std::string::npos);

  // Rotating back while the policy file is broken: the rotation takes effect, the policy part is
  // refused, and the audit log says both, not "refused" for a key change that is in force.
  // `config` has both keys active; the ring in force has next.key active. Back to active.key:
  replace_all(config, "next.key, state: active}", "next.key, state: next}");
  hub.dir().write("hub.yaml", config);
  const std::string policy = read_file(hub.dir().file("policy.yaml"));
  hub.dir().write("policy.yaml", policy + "\nnot: [valid\n");
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload", "", {{"X-Request-Id", "rotate-bad-policy"}});
  INFO(r.body);
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("rotated").as_bool());
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  std::vector<std::string> entries;
  const boost::json::value page = boost::json::parse(events.body);
  for (const auto& e : page.at("items").as_array()) {
    if (e.at("request_id") == boost::json::value("rotate-bad-policy")) {
      entries.push_back(std::string(e.at("action").as_string()) + ":" + std::string(e.at("outcome").as_string()));
      // The rotation's entry names the key now active.
      if (e.at("action") == "key_rotation") {
        CHECK(e.at("dataset") ==
              boost::json::value("key:" + std::string(body.at("signing_keys").at("active_kid").as_string())));
      }
    }
  }
  CHECK(entries == std::vector<std::string>{"reload:requested", "key_rotation:allowed", "reload:refused"});
}

TEST_CASE("reload: a key that signed stored checkpoints cannot leave the ring") {
  // A checkpoint after every entry: an audited lookup gets one signed with active.key.
  HubProcess hub({.extra_config = "audit: {checkpoint_every: 1}\n"});
  const auto admin = HubProcess::as("admin");
  const auto open = HubProcess::as("");
  REQUIRE(https_request(hub.port(), HubProcess::as("market-regulation"), "GET",
                        "/v1/records/population/11010519491231002X?purpose=no-such-matter")
              .status == 403);
  const auto stored_checkpoints = [&] {
    auto db = store::sqlite::Connection::open(hub.dir().file("data") + "/audit.db",
                                              store::sqlite::Connection::Mode::kReadOnly)
                  .value();
    auto st = db->prepare("SELECT count(*) FROM audit_checkpoints").value();
    REQUIRE(st.step().value());
    return st.column_int(0);
  };
  for (int i = 0; i < 100 && stored_checkpoints() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(stored_checkpoints() > 0);
  std::string config = read_file(hub.dir().file("hub.yaml"));
  replace_all(config, "active.key, state: active}", "active.key, state: retired}");
  replace_all(config, "next.key, state: next}", "next.key, state: active}");
  hub.dir().write("hub.yaml", config);
  REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/reload").status == 200);
  const auto both = kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body);
  REQUIRE(both.size() == 2);
  // The retired key's line removed: refused, naming it; the ring in force (and the JWKS) stays.
  const auto at = config.find("    - {file: ");
  REQUIRE(at != std::string::npos);
  config.erase(at, config.find('\n', at) - at + 1);
  REQUIRE(config.find("active.key") == std::string::npos);
  hub.dir().write("hub.yaml", config);
  const auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  CHECK(r.status == 422);
  const auto body = boost::json::parse(r.body);
  CHECK(body.at("signing_keys").at("status") == "refused");
  const std::string error(body.at("signing_keys").at("error").as_string());
  CHECK(error.find("signing.keys no longer holds a key that signed stored checkpoints (key ") != std::string::npos);
  CHECK(error.find("Keep it in signing.keys with state: retired") != std::string::npos);
  CHECK(kids(https_request(hub.port(), open, "GET", "/.well-known/jwks.json").body) == both);
}

TEST_CASE("reload: schema and matter files changed since start are named as needing a restart") {
  TempDir dirs;
  const std::string source = YICI_SOURCE_DIR;
  std::filesystem::copy(source + "/config/matters", dirs.file("matters"));
  std::filesystem::copy(source + "/schemas", dirs.file("schemas"));
  HubProcess hub(
      {.extra_config = "matters_dir: " + dirs.file("matters") + "\nschemas_dir: " + dirs.file("schemas") + "\n"});
  const auto admin = HubProcess::as("admin");
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  REQUIRE(r.status == 200);
  CHECK(boost::json::parse(r.body).at("needs_restart").as_array().empty());
  // A matter renamed: matters are loaded at start, so the answer says it is not in force yet.
  const std::string file = dirs.file("matters/food-business-license.yaml");
  std::string matter = read_file(file);
  const auto name_at = matter.find("\nname: ");
  REQUIRE(name_at != std::string::npos);
  matter.insert(name_at + 7, "（新）");
  dirs.write("matters/food-business-license.yaml", matter);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  const auto restart = boost::json::parse(r.body).at("needs_restart").as_array();
  REQUIRE(restart.size() == 1);
  CHECK(restart.at(0).as_string() == "matters_dir (its files changed since the hub started)");
  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/matters").body.find("（新）") ==
        std::string::npos);
  // A schema file edited too: both named.
  dirs.write("schemas/population.yaml", read_file(dirs.file("schemas/population.yaml")) + "\n# edited\n");
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(boost::json::parse(r.body).at("needs_restart").as_array().size() == 2);
}

TEST_CASE("reload: a grant for a purpose that is no matter is reloaded, and the answer says so") {
  HubProcess hub;
  std::string policy = read_file(hub.dir().file("policy.yaml"));
  REQUIRE(policy.find("purposes: [food-business-license]") != std::string::npos);
  replace_all(policy, "purposes: [food-business-license]", "purposes: [food-busines-license]");
  hub.dir().write("policy.yaml", policy);
  const auto r = https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);  // allowed: a grant may be written before its matter
  const auto body = boost::json::parse(r.body);
  CHECK(body.at("policy") == "reloaded");
  REQUIRE(body.at("policy_warnings").as_array().size() == 1);
  CHECK(body.at("policy_warnings").at(0).as_string().find("purpose \"food-busines-license\" is no matter") !=
        boost::json::string::npos);
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) == 0);
  CHECK(out.find("warning: ") != std::string::npos);
  CHECK(out.find("food-busines-license") != std::string::npos);
  // Fixed: no warnings left in the answer.
  replace_all(policy, "food-busines-license", "food-business-license");
  hub.dir().write("policy.yaml", policy);
  const auto fixed =
      boost::json::parse(https_request(hub.port(), HubProcess::as("admin"), "POST", "/v1/admin/reload").body);
  CHECK_FALSE(fixed.as_object().contains("policy_warnings"));
}

TEST_CASE("reload: the TLS client CA is reloaded for new connections, a bad one refused, other edits need a restart") {
  HubProcess hub;
  const auto admin = HubProcess::as("admin");
  std::string why;
  // `rogue` is market-regulation's name on a certificate from another CA: refused at first.
  REQUIRE_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));
  const std::string original = read_file(hub.dir().file("hub.yaml"));

  // The departments' CA rolls over: the bundle holds the old CA and the new one.
  hub.dir().write("ca-bundle.crt", read_file(pki("ca.crt")) + read_file(pki("rogue-ca.crt")));
  std::string config = original;
  replace_all(config, "client_ca: " + pki("ca.crt"), "client_ca: " + hub.dir().file("ca-bundle.crt"));
  hub.dir().write("hub.yaml", config);
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("tls").at("status") == "reloaded");
  CHECK(body.at("needs_restart").as_array().empty());
  CHECK(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));  // a new connection, the new CA
  CHECK(https_request(hub.port(), HubProcess::as("market-regulation"), "GET", "/v1/whoami").status == 200);

  // A client CA that is not there: refused, and the bundle in force stays.
  replace_all(config, "client_ca: " + hub.dir().file("ca-bundle.crt"), "client_ca: " + hub.dir().file("gone.crt"));
  hub.dir().write("hub.yaml", config);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(body.at("tls").at("status") == "refused");
  CHECK(body.at("tls").at("error").as_string().find("gone.crt") != boost::json::string::npos);
  CHECK(hub.log().find("tls_reload_refused") != std::string::npos);
  CHECK(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));

  // Back to the original CA, with an edit only a restart applies: the reload says so.
  hub.dir().write("hub.yaml", original + "limits: {max_batch_items: 7}\n");
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) == 0);
  INFO(out);
  CHECK(out.find("tls:          reloaded") != std::string::npos);
  CHECK(out.find("not in force until a restart: limits") != std::string::npos);
  CHECK(hub.log().find("reload_needs_restart") != std::string::npos);
  CHECK_FALSE(handshake_succeeds(hub.port(), HubProcess::as("rogue"), &why));
}

std::vector<std::string> ids(const boost::json::value& sources, const char* what) {
  std::vector<std::string> out;
  for (const auto& id : sources.at(what).as_array()) out.emplace_back(id.as_string());
  return out;
}

// action:outcome:target of the audit entries naming a source, in log order.
std::vector<std::string> source_entries(const HubProcess& hub, const std::string& source) {
  const auto events = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1000");
  std::vector<std::string> out;
  const boost::json::value page = boost::json::parse(events.body);
  for (const auto& e : page.at("items").as_array()) {
    if (e.at("dataset") == boost::json::value(source)) {
      out.push_back(std::string(e.at("action").as_string()) + ":" + std::string(e.at("requester").as_string()));
    }
  }
  return out;
}

// The department that owns a source must be a department principal of the policy. A source
// registered through the API was checked against the policy at start only: a department added
// to the policy and reloaded (as the hub's message says to do) left the source unloaded until a
// restart, and a department taken out was not reported until a restart stopped the source.
TEST_CASE("reload: sources registered through the API are checked against the reloaded policy") {
  Departments d;
  const std::string psb = read_file(d.sources.file("psb.yaml"));
  std::filesystem::remove(d.sources.file("psb.yaml"));
  std::filesystem::remove(d.sources.file("amr.yaml"));
  TempDir data;
  std::string without_psb = kDepartmentPolicy;
  const std::string psb_line = "  - {id: public-security, kind: department, name: 公安厅, cert_cn: public-security}\n";
  REQUIRE(without_psb.find(psb_line) != std::string::npos);
  without_psb.erase(without_psb.find(psb_line), psb_line.size());
  const HubOptions options{.extra_config = "ingest: {api_source_paths: [" + d.data.path().string() + "]}\n",
                           .policy = kDepartmentPolicy,
                           .sources_dir = d.sources.path().string(),
                           .data_dir = data.file("hub")};
  const auto admin = HubProcess::as("admin");
  const auto state = [&admin](const HubProcess& hub) {
    const auto show = https_request(hub.port(), admin, "GET", "/v1/admin/sources/psb");
    REQUIRE(show.status == 200);
    return std::string(boost::json::parse(show.body).at("health").at("state").as_string());
  };
  {
    HubProcess hub(options);
    REQUIRE(https_request(hub.port(), admin, "POST", "/v1/admin/sources", psb).status == 201);
    CHECK(wait_for(hub.port(), HubProcess::as("market-regulation"),
                   "/v1/records/population/11010519491231002X?purpose=food-business-license")
              .status == 200);

    // The department taken out of the policy: the source part of the reload is refused, and the
    // source stays in force (it is still pulled), as a source file in force would.
    hub.dir().write("policy.yaml", without_psb);
    auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
    INFO(r.body);
    CHECK(r.status == 422);
    auto body = boost::json::parse(r.body);
    CHECK(body.at("policy") == "reloaded");
    REQUIRE(body.at("sources").at("errors").as_array().size() == 1);
    const std::string error(body.at("sources").at("errors").at(0).as_string());
    CHECK(error.find("source psb (registered through the API)") != std::string::npos);
    CHECK(error.find("department \"public-security\" is not a department principal") != std::string::npos);
    CHECK(error.find("it stays in force until the hub restarts, which will not load it") != std::string::npos);
    CHECK(state(hub) != "invalid");
    CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/psb/pull").status == 202);
    CHECK(hub.log().find("source_reload_refused") != std::string::npos);
    hub.signal(SIGTERM);
    CHECK(hub.wait_exit(std::chrono::seconds(30)) == 0);
  }

  // A restart under that policy does not load it; the department put back and reloaded, it loads
  // and is pulled again, without a restart.
  HubOptions restarted = options;
  restarted.policy = without_psb;
  HubProcess hub(restarted);
  CHECK(state(hub) == "invalid");
  CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/psb/pull").status == 409);
  hub.dir().write("policy.yaml", kDepartmentPolicy);
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) == 0);
  INFO(out);
  CHECK(out.find("sources:      reloaded, resumed psb") != std::string::npos);
  CHECK(state(hub) != "invalid");
  CHECK(https_request(hub.port(), admin, "POST", "/v1/admin/sources/psb/pull").status == 202);
  CHECK(hub.log().find("it passes against the reloaded policy") != std::string::npos);
  // Nothing changed since: a second reload resumes nothing.
  const auto again = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  CHECK(again.status == 200);
  CHECK(ids(boost::json::parse(again.body).at("sources"), "resumed").empty());
}

TEST_CASE("reload: source files added, edited, broken and removed take effect without a restart") {
  Departments d;
  const std::string psb = read_file(d.sources.file("psb.yaml"));
  std::filesystem::remove(d.sources.file("psb.yaml"));
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = d.sources.path().string()});
  const auto admin = HubProcess::as("admin");
  const auto dept = HubProcess::as("market-regulation");
  const std::string lookup = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  CHECK(https_request(hub.port(), dept, "GET", lookup).status == 404);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/psb").status == 404);

  // A new file: loaded and pulled.
  d.sources.write("psb.yaml", psb);
  auto r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("sources").at("status") == "reloaded");
  CHECK(ids(body.at("sources"), "added") == std::vector<std::string>{"psb"});
  CHECK(ids(body.at("sources"), "changed").empty());
  CHECK(ids(body.at("sources"), "removed").empty());
  CHECK(wait_for(hub.port(), dept, lookup).status == 200);

  // Reloading again with nothing edited changes nothing.
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  body = boost::json::parse(r.body);
  CHECK(ids(body.at("sources"), "added").empty());
  CHECK(ids(body.at("sources"), "changed").empty());

  // An edited file: the new definition is in force.
  std::string edited = psb;
  replace_all(edited, "schedule: {every: 1h}", "schedule: {every: 2h}");
  d.sources.write("psb.yaml", edited);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  body = boost::json::parse(r.body);
  CHECK(r.status == 200);
  CHECK(ids(body.at("sources"), "changed") == std::vector<std::string>{"psb"});

  // A broken file: refused, exit 1 from yici-ctl, and the source in force stays and is served.
  d.sources.write("psb.yaml", edited + "mapping: [\n");
  std::string out;
  CHECK(run_ctl(hub.port(), "admin", "reload", &out) == 1);
  CHECK(out.find("sources:      refused") != std::string::npos);
  CHECK(out.find("psb.yaml") != std::string::npos);
  CHECK(out.find("the source in force stays") != std::string::npos);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/psb").status == 200);
  CHECK(hub.log().find("source_reload_refused") != std::string::npos);
  const auto metrics = https_request(hub.port(), admin, "GET", "/metrics");
  CHECK(metrics.body.find("yici_source_files_skipped 1") != std::string::npos);

  // The file removed, by SIGHUP: the source goes, its records stay served.
  std::filesystem::remove(d.sources.file("psb.yaml"));
  hub.signal(SIGHUP);
  CHECK(wait_for_status(hub.port(), admin, "/v1/admin/sources/psb", 404));
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/amr").status == 200);
  CHECK(https_request(hub.port(), dept, "GET", lookup).status == 200);
  CHECK(hub.log().find("source_removed") != std::string::npos);
  CHECK(source_entries(hub, "psb") ==
        std::vector<std::string>{"source_create:admin", "source_update:admin", "source_delete:signal:SIGHUP"});

  // sources_dir gone (an unmounted volume): refused, and no source in force is taken away.
  const std::string dir = d.sources.path().string();
  std::filesystem::rename(dir, dir + "-gone");
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  std::filesystem::rename(dir + "-gone", dir);
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(ids(body.at("sources"), "removed").empty());
  REQUIRE(body.at("sources").at("errors").as_array().size() == 1);
  CHECK(body.at("sources").at("errors").at(0).as_string().find("is not a directory any more") !=
        boost::json::string::npos);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/amr").status == 200);
  CHECK(hub.log().find("sources_dir is not a directory any more") != std::string::npos);  // logged too

  // Its mount point left behind, empty: refused the same way, not "remove them all".
  std::filesystem::rename(dir, dir + "-gone");
  std::filesystem::create_directory(dir);
  r = https_request(hub.port(), admin, "POST", "/v1/admin/reload");
  std::filesystem::remove(dir);
  std::filesystem::rename(dir + "-gone", dir);
  INFO(r.body);
  CHECK(r.status == 422);
  body = boost::json::parse(r.body);
  CHECK(ids(body.at("sources"), "removed").empty());
  REQUIRE(body.at("sources").at("errors").as_array().size() == 1);
  CHECK(body.at("sources").at("errors").at(0).as_string().find("holds no source files, but file-managed sources are "
                                                               "in force from it") != boost::json::string::npos);
  CHECK(https_request(hub.port(), admin, "GET", "/v1/admin/sources/amr").status == 200);
}

}  // namespace
}  // namespace yici::test
