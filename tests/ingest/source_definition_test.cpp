#include "hub/ingest/source_definition.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "hub/ingest/source_loader.h"
#include "tests/support/temp_dir.h"

namespace yici::ingest {
namespace {

constexpr const char* kGood = R"(id: hz-psb-population
department: public-security
dataset: population
adapter:
  type: sqlite
  path: /srv/psb/person.db
  table: person
primary_key: [sfzh]
cursor: {column: gxsj, overlap: 10m}
mapping:
  id_number: sfzh
  name: xm
  gender: xb
status: {column: zt, withdrawn: ["注销", "迁出"]}
schedule: {every: 5m, jitter: 30s}
)";

adapters::AdapterRegistry& registry() {
  static adapters::AdapterRegistry r = [] {
    adapters::AdapterRegistry reg;
    adapters::register_builtin_adapters(reg);
    return reg;
  }();
  return r;
}

Result<SourceDefinition> parse(const std::string& text) {
  auto doc = YamlDoc::parse(text, "src.yaml");
  if (!doc) return doc.take_error();
  return parse_source_definition(*doc, registry());
}

TEST_CASE("source definition: the CONTRACT example parses completely") {
  auto s = parse(kGood);
  REQUIRE(s.ok());
  CHECK(s->id == "hz-psb-population");
  CHECK(s->adapter_type == "sqlite");
  CHECK(s->adapter != nullptr);
  CHECK(s->cursor->overlap == std::chrono::minutes(10));
  REQUIRE(s->mapping.size() == 3);
  CHECK(s->mapping[1] == std::make_pair(std::string("name"), std::string("xm")));
  CHECK(s->status->withdrawn_values.size() == 2);
  CHECK(s->every == std::chrono::minutes(5));
  CHECK(s->enabled);
  CHECK(s->reconcile_every.count() == 0);
  CHECK(s->columns_to_read() == std::vector<std::string>{"sfzh", "xm", "xb", "gxsj", "zt"});
}

TEST_CASE("source definition: each kind of mistake names the key and line") {
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::string g = kGood;
  struct Case {
    std::string text;
    const char* expect;
    const char* path;  // the key path the error names (Error::path), for the admin API's 422
  };
  const Case cases[] = {
      {replace(g, "id: hz-psb-population", "id: HZ_PSB"), "src.yaml:1: id \"HZ_PSB\" must match"},
      {replace(g, "  name: xm", "  name: \"xm; drop\""), "src.yaml:12: mapping.name: column"},
      {replace(g, "primary_key: [sfzh]", "primary_key: []"), "primary_key: give the source column"},
      {replace(g, "overlap: 10m", "overlap: ten"), "bad duration"},
      {replace(g, "every: 5m", "every: 10ms"), "schedule.every must be at least 1s"},
      {replace(g, "jitter: 30s", "jitter: 5m"), "schedule.jitter must be shorter than schedule.every"},
      {replace(g, "type: sqlite", "type: mongodb"), "src.yaml:5: unknown adapter type \"mongodb\""},
      {replace(g, "dataset: population", "dataset: population\ncolour: red"), "src.yaml:4: unknown key \"colour\""},
      {replace(g, "withdrawn: [\"注销\", \"迁出\"]", "withdrawn: []"), "status.withdrawn"},
      {replace(g, "department: public-security\n", ""), "missing required key \"department\""},
      {g + "reconcile: {every: 5s}\n", "reconcile.every must be at least 1m"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto r = parse(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("source definition: every part's problem is named at once, each with its line, the first returned") {
  const std::string text = R"(id: HZ_PSB
department: public-security
adapter: {type: sqlite, path: /srv/psb/person.db, table: person}
primary_key: [sfzh]
mapings: {name: xm}
cursor: {colum: gxsj}
mapping:
  id_number: sfzh
  name: "xm; drop"
  gender: [xb]
schedule: {every: 10ms}
enabled: maybe
)";
  auto doc = YamlDoc::parse(text, "src.yaml");
  REQUIRE(doc.ok());
  std::vector<Error> problems;
  auto r = parse_source_definition(*doc, registry(), &problems);
  REQUIRE_FALSE(r.ok());
  std::string all;
  for (const auto& p : problems) all += p.message + "\n";
  INFO(all);
  const char* expected[] = {
      "src.yaml:5: unknown key \"mapings\"",
      "src.yaml:1: id \"HZ_PSB\" must match",
      "missing required key \"dataset\"",
      "src.yaml:6: unknown key \"colum\"",
      "src.yaml:9: mapping.name: column",
      "src.yaml:10: mapping.gender must be a column name",
      "src.yaml:11: schedule.every must be at least 1s",
      "src.yaml:12:",
  };
  REQUIRE(problems.size() == std::size(expected));
  for (std::size_t i = 0; i < problems.size(); ++i) {
    CAPTURE(i);
    CHECK(problems[i].message.find(expected[i]) != std::string::npos);
  }
  // The error returned names each of them, for a log line; its path is the first one's.
  CHECK(r.error().message.find(problems.front().message) == 0);
  for (const auto& p : problems) CHECK(r.error().message.find(p.message) != std::string::npos);
  CHECK(r.error().path == problems.front().path);
  // Without an adapter the columns cannot be checked, but every other part still is.
  problems.clear();
  doc = YamlDoc::parse(R"(id: psb
department: public-security
dataset: population
adapter: {type: mongodb}
primary_key: [sfzh]
mapping: {name: "xm; drop"}
schedule: {every: 10ms}
)",
                       "src.yaml");
  REQUIRE(doc.ok());
  r = parse_source_definition(*doc, registry(), &problems);
  REQUIRE_FALSE(r.ok());
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].message.find("unknown adapter type \"mongodb\"") != std::string::npos);
  CHECK(problems[1].message.find("schedule.every") != std::string::npos);
  // A definition that is not a mapping is one problem, not one per key it lacks.
  doc = YamlDoc::parse("- id: psb\n", "src.yaml");
  REQUIRE(doc.ok());
  problems.clear();
  CHECK_FALSE(parse_source_definition(*doc, registry(), &problems).ok());
  CHECK(problems.size() == 1);
}

TEST_CASE("source definition: column names as each kind of source names its columns") {
  // A CSV export's header and a JSON member may be Chinese; an SQL column is a plain identifier
  // (it goes into SQL), and the message says how to use another name.
  const std::string csv =
      "id: hz-csv\ndepartment: public-security\ndataset: population\n"
      "adapter: {type: csv, path: /srv/rk}\nprimary_key: [公民身份号码]\n"
      "mapping: {id_number: 公民身份号码, name: 姓名}\n";
  auto parsed = parse(csv);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
  CHECK(std::find(parsed->mapping.begin(), parsed->mapping.end(),
                  std::pair<std::string, std::string>{"name", "姓名"}) != parsed->mapping.end());
  const auto refused = [](const std::string& text) {
    auto r = parse(text);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  std::string sql = kGood;
  sql.replace(sql.find("  name: xm"), 10, "  name: 姓名");
  CHECK(refused(sql).find("mapping.name: column \"姓名\" must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*): give "
                          "other names (a Chinese column name, say) an alias in the adapter's query") !=
        std::string::npos);
  std::string control = csv;
  control.replace(control.find("name: 姓名"), std::string("name: 姓名").size(), "name: \"姓\\t名\"");
  CHECK(refused(control).find("must be UTF-8 text without control characters") != std::string::npos);
  std::string empty = csv;
  empty.replace(empty.find("name: 姓名"), std::string("name: 姓名").size(), "name: \"\"");
  CHECK(refused(empty).find("must not be empty") != std::string::npos);
}

TEST_CASE("sources_dir: bad files are reported with their path and skipped, the rest load") {
  test::TempDir dir;
  dir.write("a.yaml", kGood);
  dir.write("b.yaml", "id: broken\n");
  std::string dup = kGood;
  dir.write("c.yaml", dup);
  std::string other = kGood;
  other.replace(other.find("hz-psb-population"), 17, "hz-psb-population-2");
  dir.write("d.yml", other);
  dir.write("notes.txt", "not a source");
  auto loaded = load_sources_dir(dir.path().string(), registry());
  REQUIRE(loaded.sources.size() == 2);
  CHECK(loaded.sources[0].id == "hz-psb-population");
  CHECK(loaded.sources[1].id == "hz-psb-population-2");
  REQUIRE(loaded.errors.size() == 2);
  CHECK(loaded.errors[0].message.find("b.yaml") != std::string::npos);
  // One error for the file, naming each of its problems.
  CHECK(loaded.errors[0].message.find("missing required key \"department\"") != std::string::npos);
  CHECK(loaded.errors[0].message.find("missing required key \"adapter\"") != std::string::npos);
  CHECK(loaded.errors[1].message.find("c.yaml") != std::string::npos);
  CHECK(loaded.errors[1].message.find("already defined") != std::string::npos);
  CHECK(load_sources_dir(dir.file("absent"), registry()).sources.empty());
}

}  // namespace
}  // namespace yici::ingest
