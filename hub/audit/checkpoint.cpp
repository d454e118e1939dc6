#include "hub/audit/checkpoint.h"

#include <boost/json.hpp>

#include "hub/audit/base64.h"
#include "hub/core/time.h"
#include "hub/sign/base64url.h"

namespace yici::audit {

std::string checkpoint_payload(const std::string& log_id, std::uint64_t tree_size, const Hash& root,
                               const std::string& timestamp) {
  boost::json::object o;
  o["log_id"] = log_id;
  o["tree_size"] = tree_size;
  o["root_hash"] = hash_to_base64(root);
  o["timestamp"] = timestamp;
  return boost::json::serialize(o);
}

Result<Checkpoint> sign_checkpoint(const std::string& log_id, std::uint64_t tree_size, const Hash& root,
                                   const sign::KeyRing& keys) {
  Checkpoint c{log_id, tree_size, root, format_rfc3339_seconds(now_utc()), ""};
  YICI_TRY(c.jws, keys.sign(checkpoint_payload(log_id, tree_size, root, c.timestamp), kCheckpointTyp, false));
  return c;
}

Result<Checkpoint> parse_checkpoint_payload(std::string_view payload_json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(payload_json, ec);
  if (ec || !v.is_object()) return Error::invalid("checkpoint payload is not a JSON object");
  const auto& o = v.as_object();
  const auto* log_id = o.if_contains("log_id");
  const auto* size = o.if_contains("tree_size");
  const auto* root = o.if_contains("root_hash");
  const auto* ts = o.if_contains("timestamp");
  if (log_id == nullptr || !log_id->is_string() || size == nullptr || !size->is_number() || root == nullptr ||
      !root->is_string() || ts == nullptr || !ts->is_string()) {
    return Error::invalid("checkpoint payload needs log_id, tree_size, root_hash and timestamp");
  }
  Checkpoint c;
  c.log_id = std::string(log_id->as_string());
  c.tree_size = size->is_uint64() ? size->as_uint64() : static_cast<std::uint64_t>(size->as_int64());
  YICI_TRY(c.root, hash_from_base64(root->as_string()));
  c.timestamp = std::string(ts->as_string());
  return c;
}

namespace {

Error not_a_checkpoint(const std::string& why) {
  return Error::invalid("not a signed checkpoint (" + why +
                        "); a checkpoint is the compact JWS that GET /v1/audit/checkpoint answers");
}

Status check_typ(const std::string& typ) {
  if (typ != kCheckpointTyp) {
    return Error::invalid("not a checkpoint: its typ is \"" + typ + "\", not " + kCheckpointTyp);
  }
  return {};
}

}  // namespace

Result<VerifiedCheckpoint> verify_checkpoint(const sign::Jwks& jwks, std::string_view jws) {
  auto checked = sign::verify_jws(jwks, jws);
  if (!checked) {
    // Some other file given as the checkpoint (hub.yaml, a saved answer's body): say what is expected.
    if (checked.error().message.starts_with("malformed JWS") || checked.error().message.starts_with("base64url")) {
      return not_a_checkpoint(checked.error().message);
    }
    return checked.error();
  }
  const sign::VerifiedJws& verified = *checked;
  YICI_TRY_STATUS(check_typ(verified.typ));
  YICI_TRY(Checkpoint checkpoint, parse_checkpoint_payload(verified.payload));
  checkpoint.jws = std::string(jws);
  return VerifiedCheckpoint{std::move(checkpoint), verified.kid};
}

Result<Checkpoint> read_checkpoint_unverified(std::string_view jws) {
  const auto first = jws.find('.');
  const auto second = first == std::string_view::npos ? first : jws.find('.', first + 1);
  if (second == std::string_view::npos || jws.find('.', second + 1) != std::string_view::npos) {
    return not_a_checkpoint("malformed JWS: not three dot-separated parts");
  }
  auto header_json = sign::base64url_decode(jws.substr(0, first));
  auto payload = sign::base64url_decode(jws.substr(first + 1, second - first - 1));
  if (!header_json || !payload) return not_a_checkpoint("its parts are not base64url");
  boost::system::error_code ec;
  const auto header = boost::json::parse(*header_json, ec);
  const auto* typ = !ec && header.is_object() ? header.as_object().if_contains("typ") : nullptr;
  if (typ == nullptr || !typ->is_string()) return not_a_checkpoint("its header has no typ");
  YICI_TRY_STATUS(check_typ(std::string(typ->as_string())));
  YICI_TRY(Checkpoint checkpoint, parse_checkpoint_payload(*payload));
  checkpoint.jws = std::string(jws);
  return checkpoint;
}

Status store_checkpoint(store::sqlite::Database& db, const Checkpoint& c) {
  return db.with_writer([&](store::sqlite::Connection& w) -> Status {
    YICI_TRY(auto st, w.prepare("INSERT OR IGNORE INTO audit_checkpoints (tree_size, root_hash, timestamp, jws) "
                                "VALUES (?1, ?2, ?3, ?4)"));
    const std::string root = hash_to_base64(c.root);
    st.bind(1, static_cast<std::int64_t>(c.tree_size)).bind(2, root).bind(3, c.timestamp).bind(4, c.jws);
    YICI_TRY(const bool done, st.step());
    (void)done;
    return {};
  });
}

Result<std::optional<Checkpoint>> load_checkpoint(store::sqlite::Database& db, std::optional<std::uint64_t> size,
                                                  const std::string& log_id) {
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto st, reader->prepare(size ? "SELECT tree_size, root_hash, timestamp, jws FROM audit_checkpoints "
                                           "WHERE tree_size = ?1"
                                         : "SELECT tree_size, root_hash, timestamp, jws FROM audit_checkpoints "
                                           "ORDER BY tree_size DESC LIMIT 1"));
  if (size) st.bind(1, static_cast<std::int64_t>(*size));
  YICI_TRY(const bool row, st.step());
  if (!row) return std::optional<Checkpoint>();
  Checkpoint c;
  c.log_id = log_id;
  c.tree_size = static_cast<std::uint64_t>(st.column_int(0));
  YICI_TRY(c.root, hash_from_base64(st.column_text(1)));
  c.timestamp = std::string(st.column_text(2));
  c.jws = std::string(st.column_text(3));
  return std::optional<Checkpoint>(std::move(c));
}

Result<std::map<std::string, std::uint64_t>> stored_checkpoint_kids(store::sqlite::Database& db) {
  YICI_TRY(auto* reader, db.reader());
  // Few distinct headers (one per key that signed), however many checkpoints there are.
  YICI_TRY(auto st, reader->prepare("SELECT substr(jws, 1, instr(jws, '.') - 1) AS header, count(*) FROM "
                                    "audit_checkpoints GROUP BY header"));
  std::map<std::string, std::uint64_t> out;
  YICI_TRY_STATUS(st.each_row([&] {
    std::string kid;
    if (auto json = sign::base64url_decode(st.column_text(0)); json) {
      boost::system::error_code ec;
      const auto header = boost::json::parse(*json, ec);
      if (!ec && header.is_object()) {
        if (const auto* k = header.as_object().if_contains("kid"); k != nullptr && k->is_string()) {
          kid = std::string(k->as_string());
        }
      }
    }
    out[kid] += static_cast<std::uint64_t>(st.column_int(1));
  }));
  return out;
}

}  // namespace yici::audit
