// Merkle tree nodes in SQLite: the table `merkle_nodes(level, idx, hash)`, one row per stored node
// (see node_store.h), 32-byte BLOB hashes, primary key (level, idx).
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

#include "hub/audit/node_store.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/sqlite/database.h"

namespace yici::audit {

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
};

class SqliteNodeStore final : public NodeStore {
 public:
  // REQUIRES: `db` has kMerkleMigrations applied and outlives this object.
  explicit SqliteNodeStore(store::sqlite::Database& db) : db_(db) {}

  Result<Hash> get(NodeId id) override;
  Result<std::uint64_t> leaf_count() override;

 private:
  store::sqlite::Database& db_;
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
