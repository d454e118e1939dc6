#include "hub/audit/sqlite_node_store.h"

#include <random>

#include <doctest/doctest.h>

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
