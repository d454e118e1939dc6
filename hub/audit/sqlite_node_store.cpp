#include "hub/audit/sqlite_node_store.h"

#include <algorithm>
#include <bit>
#include <string>
#include <string_view>

namespace yici::audit {
namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

constexpr const char* kSelectNode = "SELECT hash, level, idx FROM merkle_nodes WHERE pos = ?1";
// The last node appended is the top of the last leaf's path: it covers the tree up to that leaf.
constexpr const char* kSelectLastNode = "SELECT level, idx FROM merkle_nodes ORDER BY pos DESC LIMIT 1";
constexpr const char* kInsertNode = "INSERT INTO merkle_nodes (pos, level, idx, hash) VALUES (?1, ?2, ?3, ?4)";

std::string describe(NodeId id) {
  return "merkle node (" + std::to_string(id.level) + ", " + std::to_string(id.index) + ")";
}

std::string_view as_chars(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

}  // namespace

std::uint64_t postorder_position(NodeId id) {
  const std::uint64_t last = ((id.index + 1) << id.level) - 1;
  return 2 * last - static_cast<std::uint64_t>(std::popcount(last)) + static_cast<std::uint64_t>(id.level);
}

const char* merkle_postorder_migration() {
  static const std::string kSql = [] {
    std::string popcount;
    for (int bit = 0; bit < 63; ++bit) {
      popcount += (bit == 0 ? "" : " + ") + std::string("((last >> ") + std::to_string(bit) + ") & 1)";
    }
    return R"sql(
CREATE TABLE merkle_nodes_by_pos (
  pos   INTEGER PRIMARY KEY CHECK (pos >= 0),
  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB    NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO merkle_nodes_by_pos (pos, level, idx, hash)
  SELECT 2 * last - ()sql" +
           popcount + R"sql() + level, level, idx, hash
  FROM (SELECT ((idx + 1) << level) - 1 AS last, level, idx, hash FROM merkle_nodes);
DROP TABLE merkle_nodes;
ALTER TABLE merkle_nodes_by_pos RENAME TO merkle_nodes;
)sql";
  }();
  return kSql.c_str();
}

Result<Hash> SqliteNodeStore::get(NodeId id) {
  if (id.level < kCachedLevel) return read(id);
  const std::uint64_t pos = postorder_position(id);
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = upper_.find(pos); it != upper_.end()) return it->second;
  }
  YICI_TRY(const Hash h, read(id));  // committed, so final: only committed nodes are visible here
  std::unique_lock lock(cache_mu_);
  upper_.emplace(pos, h);
  return h;
}

Result<Hash> SqliteNodeStore::read(NodeId id) {
  YICI_TRY(Connection * conn, db_.reader());
  YICI_TRY(Statement * stmt, conn->cached(kSelectNode));
  stmt->bind(1, static_cast<std::int64_t>(postorder_position(id)));
  YICI_TRY(bool found, stmt->step());
  if (!found) {
    stmt->reset();
    return Error::not_found(describe(id) + " is not stored");
  }
  if (stmt->column_int(1) != id.level || static_cast<std::uint64_t>(stmt->column_int(2)) != id.index) {
    stmt->reset();
    return Error::corruption(describe(id) + ": the row at its position names another node");
  }
  const std::string_view blob = stmt->column_blob(0);
  if (blob.size() != kHashSize) {
    stmt->reset();
    return Error::corruption(describe(id) + " has a hash of " + std::to_string(blob.size()) + " bytes");
  }
  Hash h{};
  std::copy(blob.begin(), blob.end(), h.begin());
  stmt->reset();  // ends the read transaction: the next read sees newer commits
  return h;
}

Result<std::uint64_t> SqliteNodeStore::leaf_count() {
  YICI_TRY(Connection * conn, db_.reader());
  YICI_TRY(Statement * stmt, conn->cached(kSelectLastNode));
  YICI_TRY(bool row, stmt->step());
  std::uint64_t count = 0;
  if (row) count = (static_cast<std::uint64_t>(stmt->column_int(1)) + 1) << stmt->column_int(0);
  stmt->reset();
  return count;
}

Status SqliteNodeWriter::put(std::span<const Node> nodes) {
  for (const Node& n : nodes) {
    YICI_TRY(Statement * stmt, conn_.cached(kInsertNode));
    stmt->bind(1, static_cast<std::int64_t>(postorder_position(n.id)));
    stmt->bind(2, std::int64_t{n.id.level}).bind(3, static_cast<std::int64_t>(n.id.index));
    stmt->bind_blob(4, as_chars(n.hash));
    auto st = stmt->run();
    stmt->reset();
    if (!st.ok()) return Error{st.error().code, describe(n.id) + ": " + st.error().message};
  }
  return {};
}

}  // namespace yici::audit
