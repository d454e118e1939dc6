#include "hub/audit/proof_json.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "hub/audit/base64.h"

namespace yici::audit {
namespace {

namespace json = boost::json;

json::array path_json(const std::vector<Hash>& path) {
  json::array a;
  a.reserve(path.size());
  for (const Hash& h : path) a.emplace_back(hash_to_base64(h));
  return a;
}

Result<const json::object*> as_object(const json::value& v, std::string_view what) {
  if (!v.is_object()) return Error::invalid(std::string(what) + ": expected a JSON object");
  return &v.get_object();
}

Result<std::uint64_t> get_uint(const json::object& o, std::string_view key, std::string_view what) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Error::invalid(std::string(what) + ": missing \"" + std::string(key) + "\"");
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return Error::invalid(std::string(what) + ": \"" + std::string(key) + "\" must be a non-negative integer");
}

Result<Hash> get_hash(const json::value& v, std::string_view key, std::string_view what) {
  if (!v.is_string()) return Error::invalid(std::string(what) + ": \"" + std::string(key) + "\" must be a string");
  const json::string& s = v.get_string();
  auto h = hash_from_base64(std::string_view(s.data(), s.size()));
  if (!h.ok()) return Error::invalid(std::string(what) + ": \"" + std::string(key) + "\": " + h.error().message);
  return h;
}

Result<std::vector<Hash>> get_path(const json::object& o, std::string_view what) {
  const json::value* v = o.if_contains("path");
  if (v == nullptr) return Error::invalid(std::string(what) + ": missing \"path\"");
  if (!v->is_array()) return Error::invalid(std::string(what) + ": \"path\" must be an array");
  std::vector<Hash> path;
  path.reserve(v->get_array().size());
  for (const json::value& e : v->get_array()) {
    YICI_TRY(Hash h, get_hash(e, "path", what));
    path.push_back(h);
  }
  return path;
}

Result<json::value> parse_text(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error::invalid(std::string(what) + ": not JSON: " + ec.message());
  return v;
}

}  // namespace

json::object to_json(const InclusionProof& proof) {
  json::object o;
  o["leaf_index"] = proof.leaf_index;
  o["tree_size"] = proof.tree_size;
  o["leaf_hash"] = hash_to_base64(proof.leaf_hash);
  o["path"] = path_json(proof.path);
  return o;
}

json::object to_json(const ConsistencyProof& proof) {
  json::object o;
  o["from"] = proof.from;
  o["to"] = proof.to;
  o["path"] = path_json(proof.path);
  return o;
}

std::string render(const InclusionProof& proof) { return json::serialize(to_json(proof)); }
std::string render(const ConsistencyProof& proof) { return json::serialize(to_json(proof)); }

Result<InclusionProof> inclusion_proof_from_json(const json::value& v) {
  constexpr std::string_view kWhat = "inclusion proof";
  YICI_TRY(const json::object* o, as_object(v, kWhat));
  InclusionProof p;
  YICI_TRY(p.leaf_index, get_uint(*o, "leaf_index", kWhat));
  YICI_TRY(p.tree_size, get_uint(*o, "tree_size", kWhat));
  const json::value* leaf = o->if_contains("leaf_hash");
  if (leaf == nullptr) return Error::invalid("inclusion proof: missing \"leaf_hash\"");
  YICI_TRY(p.leaf_hash, get_hash(*leaf, "leaf_hash", kWhat));
  YICI_TRY(p.path, get_path(*o, kWhat));
  return p;
}

Result<ConsistencyProof> consistency_proof_from_json(const json::value& v) {
  constexpr std::string_view kWhat = "consistency proof";
  YICI_TRY(const json::object* o, as_object(v, kWhat));
  ConsistencyProof p;
  YICI_TRY(p.from, get_uint(*o, "from", kWhat));
  YICI_TRY(p.to, get_uint(*o, "to", kWhat));
  YICI_TRY(p.path, get_path(*o, kWhat));
  return p;
}

Result<InclusionProof> parse_inclusion_proof(std::string_view text) {
  YICI_TRY(json::value v, parse_text(text, "inclusion proof"));
  return inclusion_proof_from_json(v);
}

Result<ConsistencyProof> parse_consistency_proof(std::string_view text) {
  YICI_TRY(json::value v, parse_text(text, "consistency proof"));
  return consistency_proof_from_json(v);
}

}  // namespace yici::audit
