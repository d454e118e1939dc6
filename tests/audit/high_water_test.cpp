#include "hub/audit/high_water.h"

#include <doctest/doctest.h>

#include "tests/audit/merkle_test_util.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

std::unique_ptr<MerkleTree> tree_of(MemoryNodeStore& store, std::uint64_t n) {
  auto tree = MerkleTree::open(store).value();
  const auto leaves = test::synthetic_leaves(n);
  REQUIRE(tree->append(leaves, store).ok());
  return tree;
}

Checkpoint checkpoint_of(const std::string& log_id, const MerkleTree& tree, std::uint64_t size) {
  return Checkpoint{log_id, size, tree.root(size).value(), "2026-11-24T10:00:00Z", "jws"};
}

TEST_CASE("audit high-water mark: a log behind the mark or rewritten below it is refused, a longer one passes") {
  yici::test::TempDir dir;
  auto meta = store::sqlite::Database::open(dir.file("meta.db"),
                                            {"CREATE TABLE hub_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);"})
                  .value();
  CHECK_FALSE(load_high_water(*meta).value().has_value());
  MemoryNodeStore store;
  auto tree = tree_of(store, 40);
  REQUIRE(save_high_water(*meta, checkpoint_of("log-a", *tree, 30)).ok());
  // A smaller tree of the same log does not move the mark back; a larger one moves it on.
  REQUIRE(save_high_water(*meta, checkpoint_of("log-a", *tree, 20)).ok());
  auto mark = load_high_water(*meta).value();
  REQUIRE(mark.has_value());
  CHECK(mark->tree_size == 30);
  CHECK(mark->timestamp == "2026-11-24T10:00:00Z");
  REQUIRE(save_high_water(*meta, checkpoint_of("log-a", *tree, 35)).ok());
  mark = load_high_water(*meta).value();
  CHECK(mark->tree_size == 35);

  // The log as it was: passes. The same log with entries after the mark: passes.
  CHECK(check_high_water(mark, "log-a", *tree, "audit.db").ok());
  // Restored from a backup of 25 entries: refused, naming both sizes.
  MemoryNodeStore older_store;
  auto older = tree_of(older_store, 25);
  auto behind = check_high_water(mark, "log-a", *older, "/data/audit.db");
  REQUIRE_FALSE(behind.ok());
  CHECK(behind.error().message.find("/data/audit.db holds 25 entries") != std::string::npos);
  CHECK(behind.error().message.find("checkpoint of 35 entries") != std::string::npos);
  CHECK(behind.error().message.find("--new-audit-log") != std::string::npos);
  // As long, but other entries: refused.
  MemoryNodeStore other_store;
  auto other = MerkleTree::open(other_store).value();
  auto leaves = test::synthetic_leaves(40);
  leaves[3] = test::flipped(leaves[3]);
  REQUIRE(other->append(leaves, other_store).ok());
  auto rewritten = check_high_water(mark, "log-a", *other, "audit.db");
  REQUIRE_FALSE(rewritten.ok());
  CHECK(rewritten.error().message.find("do not give the root") != std::string::npos);
  // Another log (begun anew with --new-audit-log): the mark says nothing of it, and its first
  // checkpoint takes the mark's place, smaller as it is.
  CHECK(check_high_water(mark, "log-b", *older, "audit.db").ok());
  REQUIRE(save_high_water(*meta, checkpoint_of("log-b", *older, 5)).ok());
  mark = load_high_water(*meta).value();
  CHECK(mark->log_id == "log-b");
  CHECK(mark->tree_size == 5);
  CHECK(check_high_water(std::nullopt, "log-a", *older, "audit.db").ok());
}

}  // namespace
}  // namespace yici::audit
