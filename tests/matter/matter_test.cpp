#include "hub/matter/matter.h"

#include <algorithm>
#include <set>

#include <doctest/doctest.h>

#include "hub/matter/bundle.h"

namespace yici::matter {
namespace {

TEST_CASE("matters: the shipped catalogue loads and uses all four datasets") {
  auto catalog = MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters");
  REQUIRE(catalog.ok());
  CHECK(catalog->all().size() >= 3);
  std::set<std::string> datasets;
  for (const auto& [code, m] : catalog->all()) {
    for (const auto& mat : m.materials) {
      if (!mat.submit) datasets.insert(mat.dataset);
    }
  }
  CHECK(datasets == std::set<std::string>{"credit", "e_license", "legal_entity", "population"});
  const Matter* food = catalog->find("food-business-license");
  REQUIRE(food != nullptr);
  CHECK(food->applicant == "entity");
  CHECK(food->materials[1].forbid_reason == "blacklisted");
}

TEST_CASE("matters: each mistake names its line") {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"code: Bad\nname: x\napplicant: person\nmaterials: [{id: a, name: a, submit: true}]\n", "m.yaml:1: code"},
      {"code: a\nname: x\napplicant: robot\nmaterials: [{id: a, name: a, submit: true}]\n", "applicant must be"},
      {"code: a\nname: x\napplicant: person\nmaterials: []\n", "materials: list"},
      {"code: a\nname: x\napplicant: person\nmaterials:\n  - {id: a, name: a}\n",
       "m.yaml:5: material \"a\" needs either"},
      {"code: a\nname: x\napplicant: person\nmaterials:\n  - {id: a, name: a, dataset: population}\n", "needs fields"},
      {"code: a\nname: x\napplicant: person\nmaterials:\n  - {id: a, name: a, submit: true}\n  - {id: a, name: b, "
       "submit: true}\n",
       "duplicate material id"},
      {"code: a\nname: x\napplicant: person\nmaterials:\n  - {id: a, name: a, dataset: credit, fields: [x], require: "
       "[1]}\n",
       "require must be a mapping"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto doc = YamlDoc::parse(c.yaml, "m.yaml");
    REQUIRE(doc.ok());
    auto r = parse_matter(*doc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
}

store::Record rec(std::string fields, std::string status = "valid") {
  store::Record r;
  r.fields_json = std::move(fields);
  r.status = std::move(status);
  r.source = "src";
  return r;
}

TEST_CASE("bundle: satisfied, missing with a reason, blacklisted, and brought by the applicant") {
  auto catalog = MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters");
  REQUIRE(catalog.ok());
  const Matter& food = *catalog->find("food-business-license");
  std::map<std::string, std::vector<store::Record>> on_file;
  auto of = [&](const std::string& d) { return on_file[d]; };
  auto current = [](const std::string&) { return true; };

  // Nothing on file: the licence is missing, the clean credit record counts as clean.
  auto none = resolve_bundle(food, of, current);
  REQUIRE(none.size() == 4);
  CHECK(none[0].state == MaterialResult::State::kMissing);
  CHECK(none[0].reason == "none_on_file");
  CHECK(none[1].state == MaterialResult::State::kSatisfied);
  CHECK(none[2].state == MaterialResult::State::kSubmit);

  on_file["legal_entity"] = {rec(R"({"uscc":"x","status":"revoked"})")};
  on_file["credit"] = {rec(R"({"list_type":"red"})"), rec(R"({"list_type":"black","status":"valid"})")};
  auto bad = resolve_bundle(food, of, current);
  CHECK(bad[0].state == MaterialResult::State::kMissing);
  CHECK(bad[0].reason == "conditions_not_met");
  CHECK(bad[1].state == MaterialResult::State::kMissing);
  CHECK(bad[1].reason == "blacklisted");

  on_file["legal_entity"] = {rec(R"({"uscc":"x","status":"revoked"})"), rec(R"({"uscc":"x","status":"active"})")};
  on_file["credit"] = {rec(R"({"list_type":"black","status":"expired"})")};  // an expired listing no longer counts
  auto good = resolve_bundle(food, of, current);
  CHECK(good[0].state == MaterialResult::State::kSatisfied);
  REQUIRE(good[0].record.has_value());
  CHECK(good[0].record->fields_json.find("active") != std::string::npos);
  CHECK(good[1].state == MaterialResult::State::kSatisfied);
}

TEST_CASE("bundle: no black-listing on file proves nothing when no credit source is current") {
  auto catalog = MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters");
  REQUIRE(catalog.ok());
  const Matter& food = *catalog->find("food-business-license");
  std::map<std::string, std::vector<store::Record>> on_file;
  on_file["legal_entity"] = {rec(R"({"uscc":"x","status":"active"})")};
  auto of = [&](const std::string& d) { return on_file[d]; };
  std::vector<std::string> asked;
  auto only_legal_entity = [&](const std::string& d) {
    asked.push_back(d);
    return d == "legal_entity";
  };
  auto r = resolve_bundle(food, of, only_legal_entity);
  REQUIRE(r.size() == 4);
  CHECK(r[0].state == MaterialResult::State::kSatisfied);  // a required record on file is proof either way
  CHECK(r[1].material->id == "credit-clearance");
  CHECK(r[1].state == MaterialResult::State::kMissing);
  CHECK(r[1].reason == "source_unavailable");
  CHECK(std::find(asked.begin(), asked.end(), "credit") != asked.end());
  // A black-listing on file is shown whatever the source's state.
  on_file["credit"] = {rec(R"({"list_type":"black","status":"valid"})")};
  auto listed = resolve_bundle(food, of, only_legal_entity);
  CHECK(listed[1].reason == "blacklisted");
}

TEST_CASE("bundle: a record's non-valid status is the reason when conditions fail") {
  auto catalog = MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters");
  const Matter& newborn = *catalog->find("newborn-one-thing");
  std::map<std::string, std::vector<store::Record>> on_file;
  on_file["e_license"] = {rec(R"({"license_name":"结婚证","status":"revoked"})", "revoked")};
  auto r = resolve_bundle(
      newborn, [&](const std::string& d) { return on_file[d]; }, [](const std::string&) { return true; });
  CHECK(r[1].state == MaterialResult::State::kMissing);
  CHECK(r[1].reason == "revoked");
  CHECK(r[2].reason == "none_on_file");  // the only e-licence on file is not a birth certificate
}

}  // namespace
}  // namespace yici::matter

namespace yici::matter {
namespace {

TEST_CASE("matters: needs lists each dataset once with the union of its materials' fields") {
  auto catalog = MatterCatalog::load_dir(std::string(YICI_SOURCE_DIR) + "/config/matters").value();
  auto needs = catalog.needs("newborn-one-thing");
  REQUIRE(needs.ok());
  REQUIRE(needs->size() == 2);  // population and e_license (two e-licence materials, one entry)
  CHECK((*needs)[0].first == "population");
  CHECK((*needs)[1].first == "e_license");
  CHECK((*needs)[1].second.size() == 6);
  CHECK_FALSE(catalog.needs("no-such-matter").ok());
}

}  // namespace
}  // namespace yici::matter
