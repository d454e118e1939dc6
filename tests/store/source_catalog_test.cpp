#include "hub/store/source_catalog.h"

#include <doctest/doctest.h>

#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::store {
namespace {

TEST_CASE("source catalog: versions, enable/disable, retire, and a history that outlives them") {
  test::TempDir dir;
  const ChangeBy by{"admin", "req-1"};
  {
    auto stores = Stores::open(dir.path().string()).value();
    SourceCatalog catalog(*stores.meta);
    auto a = catalog.create("hz-a", "id: hz-a\n", true, by);
    REQUIRE(a.ok());
    CHECK(a->version == 1);
    auto dup = catalog.create("hz-a", "id: hz-a\n", true, by);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == ErrorCode::kAlreadyExists);
    CHECK(catalog.update("hz-none", "x", by).error().code == ErrorCode::kNotFound);
    auto b = catalog.update("hz-a", "id: hz-a\n# v2\n", {"admin", "req-2"});
    REQUIRE(b.ok());
    CHECK(b->version == 2);
    auto off = catalog.set_enabled("hz-a", false, by);
    REQUIRE(off.ok());
    CHECK(off->version == 2);  // enabling is not a new definition
    CHECK_FALSE(off->enabled);
  }
  {
    // Reopened: the state survived, as stored.
    auto stores = Stores::open(dir.path().string()).value();
    SourceCatalog catalog(*stores.meta);
    auto all = catalog.load_all().value();
    REQUIRE(all.size() == 1);
    CHECK(all[0].definition == "id: hz-a\n# v2\n");
    CHECK_FALSE(all[0].enabled);
    REQUIRE(catalog.remove("hz-a", by).ok());
    CHECK(catalog.remove("hz-a", by).error().code == ErrorCode::kNotFound);
    CHECK(catalog.load_all().value().empty());
    // A new registration of the same id continues the numbering, so versions never repeat.
    auto again = catalog.create("hz-a", "id: hz-a\n# again\n", true, by);
    REQUIRE(again.ok());
    CHECK(again->version == 3);
    auto history = catalog.history("hz-a").value();
    REQUIRE(history.size() == 5);
    const char* actions[] = {"created", "updated", "disabled", "deleted", "created"};
    for (std::size_t i = 0; i < history.size(); ++i) CHECK(history[i].action == actions[i]);
    CHECK(history[0].definition == std::optional<std::string>("id: hz-a\n"));
    CHECK_FALSE(history[2].definition.has_value());
    CHECK(history[1].request_id == "req-2");
    CHECK(catalog.history("hz-none").value().empty());
  }
}

TEST_CASE("source catalog: a retirement begun is kept across a reopen until it is finished or cancelled") {
  test::TempDir dir;
  const ChangeBy by{"admin", "req-9"};
  {
    auto stores = Stores::open(dir.path().string()).value();
    SourceCatalog catalog(*stores.meta);
    REQUIRE(catalog.create("hz-a", "id: hz-a\n", true, by).ok());
    REQUIRE(catalog.create("hz-b", "id: hz-b\n", true, by).ok());
    CHECK(catalog.begin_retirement("hz-none", false, by).error().code == ErrorCode::kNotFound);
    REQUIRE(catalog.begin_retirement("hz-a", true, by).ok());
    REQUIRE(catalog.begin_retirement("hz-b", false, by).ok());
    REQUIRE(catalog.cancel_retirement("hz-b").ok());  // it failed: the source goes on
  }
  auto stores = Stores::open(dir.path().string()).value();  // as after a kill
  SourceCatalog catalog(*stores.meta);
  auto all = catalog.load_all().value();
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].retiring.has_value());
  CHECK(all[0].retiring->keep_records);
  CHECK(all[0].retiring->requested_by == "admin");
  CHECK(all[0].retiring->request_id == "req-9");
  CHECK_FALSE(all[0].retiring->requested_at.empty());
  CHECK_FALSE(all[1].retiring.has_value());
  REQUIRE(catalog.remove("hz-a", by).ok());
  // Registered again under the same id: a new source, not one being retired.
  REQUIRE(catalog.create("hz-a", "id: hz-a\n", true, by).ok());
  all = catalog.load_all().value();
  REQUIRE(all.size() == 2);
  CHECK_FALSE(all[0].retiring.has_value());
}

}  // namespace
}  // namespace yici::store
