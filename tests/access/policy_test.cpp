#include "hub/access/policy.h"

#include <doctest/doctest.h>

namespace yici::access {
namespace {

constexpr const char* kPolicy = R"(principals:
  - {id: market-regulation, kind: department, name: 市场监督管理局, cert_cn: market-regulation}
  - {id: admin, kind: admin, cert_cn: ops-admin-01}
  - {id: auditor, kind: auditor, cert_cn: auditor}
grants:
  - principal: market-regulation
    dataset: population
    fields: [id_number, name]
    purposes: [food-business-license]
    rate: {per_second: 200, burst: 400}
)";

TEST_CASE("policy: certificate CNs map to principals, unknown CNs to none") {
  auto p = Policy::parse(kPolicy, "policy.yaml");
  REQUIRE(p.ok());
  const Principal* mr = (*p)->by_cert_cn("market-regulation");
  REQUIRE(mr != nullptr);
  CHECK(mr->id == "market-regulation");
  CHECK(mr->kind == PrincipalKind::kDepartment);
  CHECK(mr->name == "市场监督管理局");
  const Principal* admin = (*p)->by_cert_cn("ops-admin-01");
  REQUIRE(admin != nullptr);
  CHECK(admin->id == "admin");
  CHECK(admin->kind == PrincipalKind::kAdmin);
  CHECK(admin->name == "admin");                // name defaults to id
  CHECK((*p)->by_cert_cn("admin") == nullptr);  // ids are not CNs
  CHECK((*p)->by_cert_cn("") == nullptr);
  CHECK((*p)->by_cert_cn("Market-Regulation") == nullptr);  // exact match only
  REQUIRE((*p)->grants().size() == 1);
  CHECK((*p)->grants()[0].rate.burst == 400);
  CHECK((*p)->grants()[0].line == 6);
}

TEST_CASE("policy: each kind of bad file is refused with file and line") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"principals:\n  - {id: a, kind: department, cert_cn: a}\n  - {id: a, kind: admin, cert_cn: b}\n",
       "policy.yaml:3: duplicate principal id \"a\""},
      {"principals:\n  - {id: a, kind: department, cert_cn: x}\n  - {id: b, kind: admin, cert_cn: x}\n",
       "policy.yaml:3: certificate CN \"x\" already maps to principal \"a\""},
      {"principals:\n  - {id: a, kind: boss, cert_cn: a}\n",
       "policy.yaml:2: kind must be department, admin or auditor"},
      {"principals:\n  - {id: A B, kind: admin, cert_cn: a}\n", "must match [a-z0-9_-]"},
      {"principals:\n  - {id: a, kind: admin}\n", "missing required key \"cert_cn\""},
      {"principals:\n  - {id: a, kind: admin, cert_cn: a, colour: red}\n", "unknown key \"colour\" in principal"},
      {"principals:\n  - {id: a, kind: department, cert_cn: a}\ngrants:\n  - {principal: b, dataset: population, "
       "fields: [name], purposes: [p]}\n",
       "policy.yaml:4: grant names unknown principal \"b\""},
      {"principals:\n  - {id: a, kind: admin, cert_cn: a}\ngrants:\n  - {principal: a, dataset: population, "
       "fields: [name], purposes: [p]}\n",
       "grants are for departments"},
      {"principals:\n  - {id: a, kind: department, cert_cn: a}\ngrants:\n  - {principal: a, dataset: population, "
       "fields: [], purposes: [p]}\n",
       "non-empty \"fields\""},
      {"principals:\n  - {id: a, kind: department, cert_cn: a}\ngrants:\n  - {principal: a, dataset: population, "
       "fields: [name]}\n",
       "non-empty \"purposes\""},
      {"principals:\n  - {id: a, kind: department, cert_cn: a}\ngrants:\n  - {principal: a, dataset: population, "
       "fields: [name], purposes: [p], rate: {per_second: 0}}\n",
       "\"per_second\" must be between"},
      {"grants: []\n", "policy needs a \"principals\" list"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto r = Policy::parse(c.text, "policy.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("policy: the repository's demo policy loads") {
  auto p = Policy::load_file(std::string(YICI_SOURCE_DIR) + "/config/policy.yaml");
  REQUIRE(p.ok());
  CHECK((*p)->by_cert_cn("auditor")->kind == PrincipalKind::kAuditor);
  CHECK((*p)->by_cert_cn("public-security") != nullptr);
}

}  // namespace
}  // namespace yici::access
