#include "hub/audit/sqlite_node_store.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace yici::audit {
namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

constexpr const char* kSelectNode = "SELECT hash FROM merkle_nodes WHERE level = ?1 AND idx = ?2";
constexpr const char* kSelectLastLeaf = "SELECT max(idx) FROM merkle_nodes WHERE level = 0";
constexpr const char* kInsertNode = "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)";

std::string describe(NodeId id) {
  return "merkle node (" + std::to_string(id.level) + ", " + std::to_string(id.index) + ")";
}

std::string_view as_chars(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

}  // namespace

Result<Hash> SqliteNodeStore::get(NodeId id) {
  YICI_TRY(Connection * conn, db_.reader());
  YICI_TRY(Statement * stmt, conn->cached(kSelectNode));
  stmt->bind(1, std::int64_t{id.level}).bind(2, static_cast<std::int64_t>(id.index));
  YICI_TRY(bool found, stmt->step());
  if (!found) {
    stmt->reset();
    return Error::not_found(describe(id) + " is not stored");
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
  YICI_TRY(Statement * stmt, conn->cached(kSelectLastLeaf));
  YICI_TRY(bool row, stmt->step());
  const std::uint64_t count =
      (!row || stmt->column_is_null(0)) ? 0 : static_cast<std::uint64_t>(stmt->column_int(0)) + 1;
  stmt->reset();
  return count;
}

Status SqliteNodeWriter::put(std::span<const Node> nodes) {
  for (const Node& n : nodes) {
    YICI_TRY(Statement * stmt, conn_.cached(kInsertNode));
    stmt->bind(1, std::int64_t{n.id.level}).bind(2, static_cast<std::int64_t>(n.id.index));
    stmt->bind_blob(3, as_chars(n.hash));
    auto st = stmt->run();
    stmt->reset();
    if (!st.ok()) return Error{st.error().code, describe(n.id) + ": " + st.error().message};
  }
  return {};
}

}  // namespace yici::audit
