#include "hub/audit/sqlite_node_store.h"

#include <random>

#include <doctest/doctest.h>

#include "hub/audit/memory_node_store.h"
#include "hub/audit/merkle_tree.h"
#include "hub/audit/proof_verify.h"
#include "hub/audit/reference_tree.h"
#include "tests/audit/merkle_test_util.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

using store::sqlite::Connection;
using store::sqlite::Database;
using store::sqlite::Transaction;

std::unique_ptr<Database> open_db(const std::string& path) {
  auto db = Database::open(path, kMerkleMigrations);
  REQUIRE(db.ok());
  return std::move(db).value();
}

// The audit log's pattern: entries and their tree nodes in one transaction, then the tree advances.
Status append_batch(Database& db, MerkleTree& tree, std::span<const Hash> leaves) {
  return db.with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto tx, Transaction::begin(w));
    PendingAppend pending = tree.prepare_append(leaves);
    YICI_TRY_STATUS(SqliteNodeWriter(w).put(pending.nodes));
    YICI_TRY_STATUS(tx.commit());
    return tree.commit_append(pending);
  });
}

void check_against_reference(MerkleTree& tree, std::span<const Hash> leaves, std::uint64_t seed) {
  REQUIRE(tree.size() == leaves.size());
  CHECK(tree.root() == reference::root(leaves));
  if (leaves.empty()) return;
  std::mt19937_64 rng(seed);
  for (int probe = 0; probe < 25; ++probe) {
    const std::uint64_t s = 1 + rng() % leaves.size();
    const std::uint64_t i = rng() % s;
    const std::uint64_t m = rng() % (s + 1);
    CAPTURE(s);
    CAPTURE(i);
    CAPTURE(m);
    const auto prefix = leaves.first(s);
    const Hash root_s = reference::root(prefix);
    CHECK(*tree.root(s) == root_s);
    CHECK(*tree.leaf(i) == leaves[i]);
    auto ip = tree.inclusion_proof(i, s);
    REQUIRE(ip.ok());
    CHECK(*ip == reference::inclusion_path(i, prefix));
    CHECK(verify_inclusion(i, s, leaves[i], *ip, root_s).ok());
    auto cp = tree.consistency_proof(m, s);
    REQUIRE(cp.ok());
    CHECK(*cp == reference::consistency_path(m, prefix));
    CHECK(verify_consistency(m, s, *cp, reference::root(leaves.first(m)), root_s).ok());
  }
}

TEST_CASE("sqlite node store: batches survive close and reopen, and the tree carries on") {
  yici::test::TempDir dir;
  const std::string path = dir.file("audit.db");
  const auto leaves = test::synthetic_leaves(1500);
  std::mt19937_64 rng(99);
  std::uint64_t done = 0;
  for (int session = 0; session < 3; ++session) {
    auto db = open_db(path);
    SqliteNodeStore store(*db);
    auto tree = MerkleTree::open(store);
    REQUIRE(tree.ok());
    CHECK((*tree)->size() == done);
    check_against_reference(**tree, std::span(leaves).first(done), 7 + session);
    const std::uint64_t target = session == 2 ? leaves.size() : done + 400 + rng() % 200;
    while (done < target) {
      const std::uint64_t n = std::min<std::uint64_t>(target - done, 1 + rng() % 256);
      REQUIRE(append_batch(*db, **tree, std::span(leaves).subspan(done, n)).ok());
      done += n;
    }
    check_against_reference(**tree, std::span(leaves).first(done), 70 + session);
  }
}

TEST_CASE("sqlite node store: appends arrive in post-order, so every node lands at the end of the table") {
  // The positions of the nodes the tree emits, batch after batch, are 0, 1, 2, ... with no gap:
  // the property that keeps an audit commit to the last page or two of one B-tree.
  MemoryNodeStore memory;
  auto tree = std::move(MerkleTree::open(memory)).value();
  const auto leaves = test::synthetic_leaves(5000);
  std::mt19937_64 rng(5);
  std::uint64_t next_position = 0;
  std::uint64_t done = 0;
  while (done < leaves.size()) {
    const std::uint64_t n = std::min<std::uint64_t>(leaves.size() - done, 1 + rng() % 40);
    PendingAppend pending = tree->prepare_append(std::span(leaves).subspan(done, n));
    for (const Node& node : pending.nodes) {
      CAPTURE(node.id.level);
      CAPTURE(node.id.index);
      REQUIRE(postorder_position(node.id) == next_position);
      ++next_position;
    }
    REQUIRE(memory.put(pending.nodes).ok());
    REQUIRE(tree->commit_append(pending).ok());
    done += n;
  }
  CHECK(next_position == memory.node_count());
  // Far along a level too: the leaf after 2^40 - 1 leaves, and the root of the first 2^40.
  constexpr std::uint64_t kBig = std::uint64_t{1} << 40;
  CHECK(postorder_position({0, kBig - 1}) == 2 * (kBig - 1) - 40 + 0);
  CHECK(postorder_position({40, 0}) == 2 * (kBig - 1) - 40 + 40);
}

TEST_CASE("sqlite node store: a log written with the (level, idx) layout is migrated and keeps its tree") {
  yici::test::TempDir dir;
  const std::string path = dir.file("audit.db");
  const auto leaves = test::synthetic_leaves(777);
  {
    // The layout before migration 2, filled with the nodes a tree of 777 leaves stores.
    auto old = Database::open(path, {kMerkleMigrations[0]}).value();
    MemoryNodeStore memory;
    auto tree = std::move(MerkleTree::open(memory)).value();
    PendingAppend pending = tree->prepare_append(leaves);
    REQUIRE(old->with_writer([&](Connection& w) -> Status {
                 YICI_TRY(auto tx, Transaction::begin(w));
                 YICI_TRY(auto ins, w.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)"));
                 for (const Node& n : pending.nodes) {
                   ins.bind(1, std::int64_t{n.id.level}).bind(2, static_cast<std::int64_t>(n.id.index));
                   ins.bind_blob(3, std::string_view(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
                   YICI_TRY_STATUS(ins.run());
                   ins.reset();
                 }
                 return tx.commit();
               })
                .ok());
  }
  auto db = open_db(path);
  CHECK(db->schema_version() == static_cast<int>(kMerkleMigrations.size()));
  // Every row sits at the position the formula gives, computed in SQL by the migration.
  const auto misplaced = db->with_writer([](Connection& w) -> std::int64_t {
    auto rows = w.prepare("SELECT pos, level, idx FROM merkle_nodes").value();
    std::int64_t bad = 0;
    while (rows.step().value()) {
      const NodeId id{static_cast<int>(rows.column_int(1)), static_cast<std::uint64_t>(rows.column_int(2))};
      if (postorder_position(id) != static_cast<std::uint64_t>(rows.column_int(0))) ++bad;
    }
    return bad;
  });
  CHECK(misplaced == 0);
  SqliteNodeStore store(*db);
  auto tree = MerkleTree::open(store);
  REQUIRE(tree.ok());
  check_against_reference(**tree, leaves, 11);
  // And it carries on growing in the new layout.
  const auto more = test::synthetic_leaves(1000);
  REQUIRE(append_batch(*db, **tree, std::span(more).subspan(777, 223)).ok());
  check_against_reference(**tree, more, 12);
}

TEST_CASE("sqlite node store: a row at a node's position that names another node is corruption") {
  yici::test::TempDir dir;
  auto db = open_db(dir.file("audit.db"));
  SqliteNodeStore store(*db);
  auto tree = std::move(MerkleTree::open(store)).value();
  REQUIRE(append_batch(*db, *tree, test::synthetic_leaves(8)).ok());
  REQUIRE(db->with_writer([](Connection& w) {
              return w.exec("UPDATE merkle_nodes SET idx = idx + 100 WHERE level = 1 AND idx = 1");
            }).ok());
  auto node = store.get({1, 1});
  REQUIRE_FALSE(node.ok());
  CHECK(node.error().code == ErrorCode::kCorruption);
  CHECK(store.get({1, 0}).ok());
}

TEST_CASE("sqlite node store: nodes from the cached level up are read from the database once") {
  yici::test::TempDir dir;
  auto db = open_db(dir.file("audit.db"));
  SqliteNodeStore store(*db);
  auto tree = std::move(MerkleTree::open(store)).value();
  const auto leaves = test::synthetic_leaves(std::uint64_t{3} << SqliteNodeStore::kCachedLevel);
  REQUIRE(append_batch(*db, *tree, leaves).ok());
  constexpr int kUpper = SqliteNodeStore::kCachedLevel;
  const Hash upper = store.get({kUpper, 1}).value();
  const Hash lower = store.get({kUpper - 1, 1}).value();
  CHECK(upper == reference::root(std::span(leaves).subspan(std::size_t{1} << kUpper, std::size_t{1} << kUpper)));
  // Overwrite both rows behind the store's back: the upper node comes from memory, unchanged;
  // the lower one, and an upper one never read before, from the database.
  const std::string up = std::to_string(kUpper);
  const std::string down = std::to_string(kUpper - 1);
  REQUIRE(db->with_writer([&](Connection& w) {
              return w.exec("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE (level = " + up +
                            " AND idx = 1) OR (level = " + down + " AND idx = 1) OR (level = " + up + " AND idx = 2)");
            }).ok());
  CHECK(store.get({kUpper, 1}).value() == upper);
  CHECK(store.get({kUpper - 1, 1}).value() != lower);
  CHECK(store.get({kUpper, 2}).value() == Hash{});
}

TEST_CASE("sqlite node store: a rolled-back transaction leaves store and tree unchanged") {
  yici::test::TempDir dir;
  auto db = open_db(dir.file("audit.db"));
  SqliteNodeStore store(*db);
  auto tree = std::move(MerkleTree::open(store)).value();
  const auto leaves = test::synthetic_leaves(40);
  REQUIRE(append_batch(*db, *tree, std::span(leaves).first(20)).ok());

  auto st = db->with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto tx, Transaction::begin(w));
    PendingAppend pending = tree->prepare_append(std::span(leaves).subspan(20, 5));
    YICI_TRY_STATUS(SqliteNodeWriter(w).put(pending.nodes));
    return Error::io("entry insert failed");  // tx rolls back; pending is dropped
  });
  CHECK_FALSE(st.ok());
  CHECK(tree->size() == 20);
  CHECK(*store.leaf_count() == 20);
  CHECK_FALSE(store.get({0, 20}).ok());

  REQUIRE(append_batch(*db, *tree, std::span(leaves).subspan(20)).ok());
  CHECK(tree->root() == reference::root(leaves));
  auto reopened = std::move(MerkleTree::open(store)).value();
  CHECK(reopened->root() == reference::root(leaves));
}

TEST_CASE("sqlite node store: nodes are append-only and reads see only committed nodes") {
  yici::test::TempDir dir;
  auto db = open_db(dir.file("audit.db"));
  SqliteNodeStore store(*db);
  CHECK(*store.leaf_count() == 0);
  const Node a{{0, 0}, test::synthetic_leaf(0)};
  const Node b{{0, 1}, test::synthetic_leaf(1)};
  REQUIRE(db->with_writer([&](Connection& w) { return SqliteNodeWriter(w).put(std::span(&a, 1)); }).ok());
  CHECK(*store.leaf_count() == 1);
  CHECK(*store.get({0, 0}) == a.hash);
  auto missing = store.get({3, 0});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  // Writing an existing node again fails.
  const Node a2{{0, 0}, test::synthetic_leaf(5)};
  CHECK_FALSE(db->with_writer([&](Connection& w) { return SqliteNodeWriter(w).put(std::span(&a2, 1)); }).ok());
  CHECK(*store.get({0, 0}) == a.hash);
  // Inside an open transaction, the reader does not see the uncommitted node.
  db->with_writer([&](Connection& w) {
    auto tx = Transaction::begin(w);
    REQUIRE(tx.ok());
    REQUIRE(SqliteNodeWriter(w).put(std::span(&b, 1)).ok());
    CHECK(*store.leaf_count() == 1);
    CHECK_FALSE(store.get({0, 1}).ok());
    REQUIRE(tx->commit().ok());
    CHECK(*store.leaf_count() == 2);
    CHECK(*store.get({0, 1}) == b.hash);
  });
}

TEST_CASE("sqlite node store: a missing right-edge node is reported as corruption at open") {
  yici::test::TempDir dir;
  auto db = open_db(dir.file("audit.db"));
  SqliteNodeStore store(*db);
  {
    auto tree = std::move(MerkleTree::open(store)).value();
    const auto leaves = test::synthetic_leaves(6);
    REQUIRE(append_batch(*db, *tree, leaves).ok());
  }
  // Size 6 = 4 + 2: the right edge is nodes (2, 0) and (1, 2). Delete one behind the tree's back.
  REQUIRE(db->with_writer([](Connection& w) {
              return w.exec("DELETE FROM merkle_nodes WHERE level = 1 AND idx = 2");
            }).ok());
  auto tree = MerkleTree::open(store);
  REQUIRE_FALSE(tree.ok());
  CHECK(tree.error().code == ErrorCode::kCorruption);
}

}  // namespace
}  // namespace yici::audit
