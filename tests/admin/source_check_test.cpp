#include "hub/admin/source_check.h"

#include <doctest/doctest.h>

namespace yici::admin {
namespace {

TEST_CASE("source check: schema, mapping and owner problems, each with its key path") {
  const schema::SchemaSet schemas = schema::SchemaSet::load_dir(std::string(YICI_SOURCE_DIR) + "/schemas");
  auto policy = access::Policy::parse(
      "principals:\n"
      "  - {id: psb, kind: department, cert_cn: psb}\n"
      "  - {id: admin, kind: admin, cert_cn: admin}\n",
      "policy.yaml");
  REQUIRE(policy.ok());
  const SourceCheckContext context{&schemas, policy->get(), "schemas", "policy.yaml"};
  ingest::SourceDefinition d;
  d.id = "t";
  d.department = "psb";
  d.dataset = "population";
  d.mapping = {{"id_number", "sfzh"}, {"name", "xm"}};
  CHECK(check_source(d, context).empty());

  d.mapping = {{"id_number", "sfzh"}, {"shoe_size", "x"}};
  d.department = "admin";
  auto problems = check_source(d, context);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].path == "department");
  CHECK(problems[1].path == "mapping.shoe_size");
  CHECK(problems[1].message == "no such field in schema population");
  CHECK(problems[2].path == "mapping.name");
  CHECK(join_problems(problems).find("mapping.shoe_size: no such field in schema population") != std::string::npos);

  d.dataset = "horses";
  problems = check_source(d, context);
  REQUIRE(problems.size() == 2);
  CHECK(problems[1].path == "dataset");
  CHECK(problems[1].message.find("credit, e_license, legal_entity, population") != std::string::npos);
}

}  // namespace
}  // namespace yici::admin
