// Merkle tree nodes in SQLite: the table `merkle_nodes(pos, level, idx, hash)`, one row per stored
// node (see node_store.h), 32-byte BLOB hashes, keyed by the node's post-order position.
//
// Post-order is the order in which the tree completes its nodes, so every append adds rows at the
// end of one B-tree: a group commit of a few entries dirties one or two pages of it. Keyed by
// (level, idx), as before migration 2, each commit touched the right edge of every level it
// reached, a page each: 8 of the 24 pages an audit commit wrote (measured; see README).
//
// The table lives in the audit database, whose migrations include kMerkleMigrations, so that an
// audit entry and the tree nodes it creates commit in ONE transaction:
//
//   db.with_writer([&](store::sqlite::Connection& w) -> Status {
//     YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
//     ... insert the entries ...
//     auto pending = tree.prepare_append(leaf_hashes);
//     YICI_TRY_STATUS(SqliteNodeWriter(w).put(pending.nodes));
//     YICI_TRY_STATUS(tx.commit());
//     return tree.commit_append(pending);
//   });
//
// Reads (SqliteNodeStore) use the database's per-thread read-only connections, so they see
// committed nodes only, and never block the writer.
//
// Thread safety: SqliteNodeStore is safe from any thread. A SqliteNodeWriter is used by the thread
// that holds the writer connection.
#pragma once

#include <shared_mutex>
#include <unordered_map>

#include "hub/audit/node_store.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

// The node's post-order position: nodes are numbered in the order appends complete them. The node
// at (l, i) is completed by leaf last = (i + 1) * 2^l - 1, after the 2 * last - popcount(last)
// nodes of the leaves before it and the l nodes below it on that leaf's path.
std::uint64_t postorder_position(NodeId id);

// Migration 2: re-keys (level, idx) rows by post-order position (the formula above, in SQL).
const char* merkle_postorder_migration();

// Schema of the node table; append to (never edit) when it changes.
inline const store::sqlite::Migrations kMerkleMigrations = {
    R"sql(
CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
)sql",
    merkle_postorder_migration(),
};

// Nodes at level kCachedLevel and above are kept in memory once read: they never change once
// committed, a proof needs one per level, and in post-order they sit on pages of their own (one
// page read each). For 10M leaves that is about 20,000 nodes, under 2 MiB.
class SqliteNodeStore final : public NodeStore {
 public:
  static constexpr int kCachedLevel = 10;

  // REQUIRES: `db` has kMerkleMigrations applied and outlives this object.
  explicit SqliteNodeStore(store::sqlite::Database& db) : db_(db) {}

  Result<Hash> get(NodeId id) override;
  Result<std::uint64_t> leaf_count() override;

 private:
  Result<Hash> read(NodeId id);
  store::sqlite::Database& db_;
  std::shared_mutex cache_mu_;
  std::unordered_map<std::uint64_t, Hash> upper_;  // by post-order position; guarded by cache_mu_
};

// Inserts nodes through a connection the caller holds (normally the Database's writer inside an
// open transaction). A node that already exists fails the insert (append-only).
class SqliteNodeWriter final : public NodeSink {
 public:
  explicit SqliteNodeWriter(store::sqlite::Connection& conn) : conn_(conn) {}
  Status put(std::span<const Node> nodes) override;

 private:
  store::sqlite::Connection& conn_;
};

}  // namespace yici::audit
