#include "hub/audit/high_water.h"

#include <boost/json.hpp>

#include "hub/audit/base64.h"

namespace yici::audit {
namespace {

constexpr const char* kKey = "audit_high_water";

}  // namespace

Result<std::optional<HighWater>> load_high_water(store::sqlite::Database& meta) {
  YICI_TRY(auto reader, meta.reader());
  return load_high_water(*reader);
}

Result<std::optional<HighWater>> load_high_water(store::sqlite::Connection& meta) {
  YICI_TRY(auto st, meta.prepare("SELECT value FROM hub_info WHERE key = ?1"));
  st.bind(1, kKey);
  YICI_TRY(const bool found, st.step());
  if (!found) return std::optional<HighWater>();
  const std::string text(st.column_text(0));
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  const auto* o = v.if_object();
  if (ec || o == nullptr || !o->contains("log_id") || !o->at("log_id").is_string() || !o->contains("tree_size") ||
      !o->at("tree_size").is_int64() || !o->contains("root_hash") || !o->at("root_hash").is_string()) {
    return Error::corruption("meta.db: the audit high-water mark is not readable: " + text);
  }
  HighWater mark;
  mark.log_id = std::string(o->at("log_id").as_string());
  mark.tree_size = static_cast<std::uint64_t>(o->at("tree_size").as_int64());
  YICI_TRY(mark.root, hash_from_base64(o->at("root_hash").as_string()));
  if (const auto* ts = o->if_contains("timestamp"); ts != nullptr && ts->is_string()) {
    mark.timestamp = std::string(ts->as_string());
  }
  return std::optional<HighWater>(std::move(mark));
}

Status save_high_water(store::sqlite::Database& meta, const Checkpoint& checkpoint) {
  const std::string value = boost::json::serialize(boost::json::object{
      {"log_id", checkpoint.log_id},
      {"tree_size", static_cast<std::int64_t>(checkpoint.tree_size)},
      {"root_hash", hash_to_base64(checkpoint.root)},
      {"timestamp", checkpoint.timestamp},
  });
  return meta.with_writer([&](store::sqlite::Connection& w) -> Status {
    // Replaced by a larger tree of the same log, or by any tree of another log (begun anew).
    YICI_TRY(auto st, w.prepare("INSERT INTO hub_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET "
                                "value = excluded.value WHERE json_extract(value, '$.log_id') <> ?3 OR "
                                "json_extract(value, '$.tree_size') < ?4"));
    st.bind(1, kKey).bind(2, value).bind(3, checkpoint.log_id).bind(4, static_cast<std::int64_t>(checkpoint.tree_size));
    return st.run();
  });
}

Status check_high_water(const std::optional<HighWater>& mark, const std::string& log_id, const MerkleTree& tree,
                        const std::string& audit_path) {
  if (!mark || mark->log_id != log_id) return {};
  const std::string signed_at = mark->timestamp.empty() ? "" : " at " + mark->timestamp;
  const std::string what_to_do =
      ". Put back the newest copy of audit.db (with its -wal file) there is. Only if the entries after those are "
      "lost for good: move this audit.db aside, keep it for the auditors, and start once with --new-audit-log (a "
      "new, empty log under a new log id)";
  if (tree.size() < mark->tree_size) {
    return Error::invalid(audit_path + " holds " + std::to_string(tree.size()) +
                          " entries, but this hub signed a checkpoint of " + std::to_string(mark->tree_size) +
                          " entries of the same log" + signed_at +
                          " (kept in meta.db): it was restored from an older backup or rolled back. Appending to it "
                          "would give new entries the indexes departments already hold answers and proofs for" +
                          what_to_do);
  }
  YICI_TRY(const Hash root, tree.root(mark->tree_size));
  if (root != mark->root) {
    return Error::invalid(audit_path + ": its first " + std::to_string(mark->tree_size) +
                          " entries do not give the root of the checkpoint this hub signed for them" + signed_at +
                          " (kept in meta.db): the log was rewritten or replaced by another copy" + what_to_do);
  }
  return {};
}

}  // namespace yici::audit
