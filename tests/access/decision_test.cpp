#include "hub/access/decision.h"

#include <doctest/doctest.h>

namespace yici::access {
namespace {

constexpr const char* kPolicy = R"(principals:
  - {id: mr, kind: department, cert_cn: mr}
  - {id: hr, kind: department, cert_cn: hr}
  - {id: admin, kind: admin, cert_cn: admin}
grants:
  - {principal: mr, dataset: population, fields: [id_number, name], purposes: [food-license, shop-license],
     rate: {per_second: 100, burst: 200}}
  - {principal: mr, dataset: population, fields: [name, gender], purposes: [food-license], rate: {per_second: 10}}
  - {principal: mr, dataset: legal_entity, fields: [uscc, name], purposes: [food-license]}
)";

std::shared_ptr<const Policy> policy() {
  static auto p = Policy::parse(kPolicy, "policy.yaml").value();
  return p;
}

TEST_CASE("decide: fields are the union of grants that list the purpose, strictest rate wins") {
  auto p = policy();
  const Principal& mr = *p->by_id("mr");
  auto food = decide(*p, mr, "population", "food-license");
  CHECK(food.allowed);
  CHECK(food.fields == std::vector<std::string>{"id_number", "name", "gender"});
  CHECK(food.rate.per_second == 10);
  auto shop = decide(*p, mr, "population", "shop-license");
  CHECK(shop.allowed);
  CHECK(shop.fields == std::vector<std::string>{"id_number", "name"});
  CHECK(shop.rate.per_second == 100);
  auto entity = decide(*p, mr, "legal_entity", "food-license");
  CHECK(entity.allowed);
  CHECK(entity.rate.per_second == 0);
}

TEST_CASE("decide: default deny with a clear code for each refusal") {
  auto p = policy();
  struct Case {
    const char* principal;
    const char* dataset;
    const char* purpose;
    const char* code;
  };
  const Case cases[] = {
      {"mr", "population", "", "purpose_required"},
      {"mr", "population", "tax-audit", "purpose_not_granted"},
      {"mr", "credit", "food-license", "dataset_not_granted"},
      {"hr", "population", "food-license", "dataset_not_granted"},  // no grants at all
      {"admin", "population", "food-license", "not_a_department"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.code);
    auto d = decide(*p, *p->by_id(c.principal), c.dataset, c.purpose);
    CHECK_FALSE(d.allowed);
    CHECK(d.http_status == 403);
    CHECK(d.code == c.code);
    CHECK(d.fields.empty());
    CHECK_FALSE(d.message.empty());
  }
}

TEST_CASE("decide: a long purpose is shown cut short in the refusal, at a character boundary") {
  auto p = policy();
  std::string purpose = "xy";
  for (int i = 0; i < 1000; ++i) purpose += "办";  // 3 bytes each: byte 64 falls inside the 21st
  const auto d = decide(*p, *p->by_id("mr"), "population", purpose);
  CHECK(d.code == "purpose_not_granted");
  CHECK(d.message.size() < 160);
  CHECK(d.message.find(purpose.substr(0, 62) + "…(3002 bytes)") != std::string::npos);  // "xy" and 20 characters
  // A short one is shown whole.
  CHECK(decide(*p, *p->by_id("mr"), "population", "tax-audit").message.find("for purpose tax-audit") !=
        std::string::npos);
}

}  // namespace
}  // namespace yici::access
