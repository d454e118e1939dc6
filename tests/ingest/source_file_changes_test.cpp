#include "hub/ingest/source_file_changes.h"

#include <doctest/doctest.h>

namespace yici::ingest {
namespace {

SourceDefinition def(const std::string& id, const std::string& file) {
  SourceDefinition d;
  d.id = id;
  d.department = "public-security";
  d.dataset = "population";
  d.adapter_type = "sqlite";
  d.primary_key = {"sfzh"};
  d.mapping = {{"id_number", "sfzh"}};
  d.origin = file;
  d.adapter_config_json = R"({"path":"/srv/a.db","table":"person"})";
  return d;
}

std::shared_ptr<const RegisteredSource> in_force(SourceDefinition d, ManagedBy by = ManagedBy::kFile) {
  auto s = std::make_shared<RegisteredSource>();
  s->definition = std::move(d);
  s->managed_by = by;
  return s;
}

bool has(const std::vector<std::string>& messages, const std::string& part) {
  return std::any_of(messages.begin(), messages.end(),
                     [&](const std::string& m) { return m.find(part) != std::string::npos; });
}

TEST_CASE("source files reload: new, edited, unchanged and deleted files") {
  const std::vector current{in_force(def("a", "/s/a.yaml")), in_force(def("b", "/s/b.yaml")),
                            in_force(def("c", "/s/c.yaml")), in_force(def("api", "api v1"), ManagedBy::kApi)};
  LoadedSources loaded;
  loaded.sources.push_back(def("a", "/s/a.yaml"));  // unchanged
  auto b = def("b", "/s/b.yaml");
  b.mapping.emplace_back("name", "xm");  // edited
  loaded.sources.push_back(b);
  loaded.sources.push_back(def("d", "/s/d.yaml"));  // new; c's file is gone, api is not a file
  const auto plan = plan_source_file_changes(current, loaded);
  REQUIRE(plan.added.size() == 1);
  CHECK(plan.added[0].id == "d");
  REQUIRE(plan.changed.size() == 1);
  CHECK(plan.changed[0].id == "b");
  CHECK(plan.changed[0].mapping.size() == 2);
  CHECK(plan.removed == std::vector<std::string>{"c"});
  CHECK(plan.refused.empty());
}

TEST_CASE("source files reload: every part of a definition counts as a change") {
  const auto base = def("a", "/s/a.yaml");
  const std::vector current{in_force(base)};
  const std::vector<void (*)(SourceDefinition&)> edits{
      [](SourceDefinition& d) { d.department = "civil-affairs"; },
      [](SourceDefinition& d) { d.adapter_config_json = R"({"path":"/srv/b.db","table":"person"})"; },
      [](SourceDefinition& d) { d.cursor = CursorSpec{.column = "gxsj"}; },
      [](SourceDefinition& d) { d.status = StatusSpec{.column = "zt", .withdrawn_values = {"注销"}}; },
      [](SourceDefinition& d) { d.every = std::chrono::minutes(1); },
      [](SourceDefinition& d) { d.jitter = std::chrono::seconds(1); },
      [](SourceDefinition& d) { d.reconcile_every = std::chrono::hours(24); },
      [](SourceDefinition& d) { d.enabled = false; },
      [](SourceDefinition& d) { d.origin = "/s/renamed.yaml"; },
      [](SourceDefinition& d) { d.adapter_type = "csv"; }};
  for (std::size_t i = 0; i < edits.size(); ++i) {
    INFO("edit " << i);
    auto edited = base;
    edits[i](edited);
    CHECK_FALSE(same_definition(base, edited));
    LoadedSources loaded;
    loaded.sources.push_back(edited);
    const auto plan = plan_source_file_changes(current, loaded);
    CHECK(plan.changed.size() == 1);
    CHECK(plan.removed.empty());
  }
  CHECK(same_definition(base, def("a", "/s/a.yaml")));
}

TEST_CASE("source files reload: a file that no longer loads keeps its source, and says so") {
  const std::vector current{in_force(def("a", "/s/a.yaml")), in_force(def("b", "/s/b.yaml"))};
  LoadedSources loaded;
  loaded.sources.push_back(def("b", "/s/b.yaml"));
  loaded.errors.push_back(Error::invalid("/s/a.yaml:3: mapping: expected a map"));
  loaded.skipped_files.push_back("/s/a.yaml");
  const auto plan = plan_source_file_changes(current, loaded);
  CHECK(plan.removed.empty());  // a.yaml is there, only broken: a stays
  CHECK(plan.added.empty());
  CHECK(plan.changed.empty());
  REQUIRE(plan.refused.size() == 1);
  CHECK(has(plan.refused, "/s/a.yaml:3: mapping: expected a map; the source in force stays as it was"));

  // A broken new file: reported, nothing in force to keep.
  LoadedSources fresh = loaded;
  fresh.skipped_files = {"/s/new.yaml"};
  fresh.errors = {Error::invalid("/s/new.yaml:1: id: missing")};
  fresh.sources.push_back(def("a", "/s/a.yaml"));
  const auto plan2 = plan_source_file_changes(current, fresh);
  CHECK(has(plan2.refused, "/s/new.yaml:1: id: missing; not loaded"));
  CHECK(plan2.removed.empty());
}

TEST_CASE("source files reload: dataset and key changes and API ids are refused, the source in force stays") {
  const std::vector current{in_force(def("a", "/s/a.yaml")), in_force(def("b", "/s/b.yaml")),
                            in_force(def("api", "api v3"), ManagedBy::kApi)};
  LoadedSources loaded;
  auto a = def("a", "/s/a.yaml");
  a.dataset = "legal_entity";
  auto b = def("b", "/s/b.yaml");
  b.primary_key = {"sfzh", "xm"};
  loaded.sources = {a, b, def("api", "/s/api.yaml")};
  const auto plan = plan_source_file_changes(current, loaded);
  CHECK(plan.changed.empty());
  CHECK(plan.added.empty());
  CHECK(plan.removed.empty());
  REQUIRE(plan.refused.size() == 3);
  CHECK(has(plan.refused, "/s/a.yaml: a source's dataset cannot change (from population to legal_entity)"));
  CHECK(has(plan.refused, "/s/b.yaml: a source's primary key cannot change"));
  CHECK(has(plan.refused, "/s/api.yaml: source id \"api\" is registered through the admin API; not loaded"));
}

TEST_CASE("source files reload: a source whose id moved to another file is changed, not removed") {
  const std::vector current{in_force(def("a", "/s/a.yaml"))};
  LoadedSources loaded;
  loaded.sources.push_back(def("a", "/s/renamed.yaml"));
  const auto plan = plan_source_file_changes(current, loaded);
  CHECK(plan.removed.empty());
  REQUIRE(plan.changed.size() == 1);
  CHECK(plan.changed[0].origin == "/s/renamed.yaml");
}

}  // namespace
}  // namespace yici::ingest
