#include "hub/sign/key_ring.h"

#include <algorithm>

#include <boost/json.hpp>

#include "hub/core/private_file.h"
#include "hub/sign/base64url.h"

namespace yici::sign {
namespace {

std::string_view state_name(KeyState s) {
  switch (s) {
    case KeyState::kActive:
      return "active";
    case KeyState::kNext:
      return "next";
    case KeyState::kRetired:
      return "retired";
  }
  return "retired";
}

}  // namespace

Result<std::shared_ptr<const KeyRing>> KeyRing::load(const std::vector<KeySpec>& specs) {
  auto ring = std::make_shared<KeyRing>();
  int active = 0;
  for (const auto& spec : specs) {
    YICI_TRY_STATUS(check_owner_only(spec.file, "a signing key"));
    YICI_TRY(auto key, Es256Key::load_private_pem(spec.file));
    RingKey rk{key->thumbprint(), spec.state, key};
    for (const auto& k : ring->keys_) {
      if (k.kid == rk.kid) return Error::invalid(spec.file + ": the same key is listed twice");
    }
    if (spec.state == KeyState::kActive) {
      ++active;
      ring->active_ = ring->keys_.size();
    }
    ring->keys_.push_back(std::move(rk));
  }
  if (active != 1) return Error::invalid("the key ring needs exactly one active key, found " + std::to_string(active));
  return std::shared_ptr<const KeyRing>(std::move(ring));
}

std::string KeyRing::jwks_json() const {
  boost::json::array keys;
  for (const auto& k : keys_) {
    keys.push_back(boost::json::object{{"kty", "EC"},
                                       {"crv", "P-256"},
                                       {"x", base64url_encode(k.key->x())},
                                       {"y", base64url_encode(k.key->y())},
                                       {"kid", k.kid},
                                       {"use", "sig"},
                                       {"alg", "ES256"},
                                       {"yici_state", state_name(k.state)}});
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
}

Result<std::string> KeyRing::sign(std::string_view payload, std::string_view typ, bool detached) const {
  const RingKey& k = active();
  const std::string header =
      boost::json::serialize(boost::json::object{{"alg", "ES256"}, {"kid", k.kid}, {"typ", typ}});
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  YICI_TRY(auto sig, k.key->sign(signing_input));
  if (detached) return base64url_encode(header) + ".." + base64url_encode(sig);
  return signing_input + "." + base64url_encode(sig);
}

Result<Jwks> Jwks::parse(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object() || !v.as_object().contains("keys") || !v.at("keys").is_array()) {
    return Error::invalid("JWKS must be a JSON object with a \"keys\" array");
  }
  Jwks out;
  for (const auto& k : v.at("keys").as_array()) {
    if (!k.is_object()) return Error::invalid("JWKS: a key is not an object");
    const auto& o = k.as_object();
    auto str = [&](const char* name) -> std::string {
      const auto* m = o.if_contains(name);
      return m != nullptr && m->is_string() ? std::string(m->as_string()) : std::string();
    };
    if (str("kty") != "EC" || str("crv") != "P-256") continue;  // not an ES256 key: ignored
    // Nor one its publisher restricts to another use or algorithm (RFC 7517 sections 4.2-4.4).
    if ((o.contains("use") && str("use") != "sig") || (o.contains("alg") && str("alg") != "ES256")) continue;
    if (const auto* ops = o.if_contains("key_ops")) {
      const bool verifies = ops->is_array() && std::any_of(ops->as_array().begin(), ops->as_array().end(),
                                                           [](const auto& op) { return op == "verify"; });
      if (!verifies) continue;
    }
    YICI_TRY(auto x, base64url_decode(str("x")));
    YICI_TRY(auto y, base64url_decode(str("y")));
    auto key = Es256Key::from_public_xy(x, y);
    if (!key) return Error::invalid("JWKS key " + str("kid") + ": " + key.error().message);
    if (str("kid").empty()) return Error::invalid("JWKS: an EC key has no kid");
    // Which of two keys under one kid would be used depended on their order: a signature by the
    // other read as altered. The hub never publishes one kid twice (it is the key's thumbprint).
    if (!out.keys_.emplace(str("kid"), std::move(*key)).second) {
      return Error::invalid("JWKS: key id " + str("kid") + " is listed twice");
    }
    if (!str("yici_state").empty()) out.states_[str("kid")] = str("yici_state");
  }
  return out;
}

std::string Jwks::state(const std::string& kid) const {
  auto it = states_.find(kid);
  return it == states_.end() ? std::string() : it->second;
}

const Es256Key* Jwks::find(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

Result<VerifiedJws> verify_jws(const Jwks& jwks, std::string_view jws, std::optional<std::string_view> detached) {
  const auto first = jws.find('.');
  const auto second = first == std::string_view::npos ? first : jws.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      jws.find('.', second + 1) != std::string_view::npos) {
    return Error::invalid("malformed JWS: expected three dot-separated parts");
  }
  const std::string_view header_b64 = jws.substr(0, first);
  const std::string_view payload_b64 = jws.substr(first + 1, second - first - 1);
  const std::string_view sig_b64 = jws.substr(second + 1);
  auto header_json = base64url_decode(header_b64);
  if (!header_json) return Error::invalid("malformed JWS: its header is not base64url");
  boost::system::error_code ec;
  auto header = boost::json::parse(*header_json, ec);
  if (ec || !header.is_object()) return Error::invalid("malformed JWS: header is not a JSON object");
  const auto* alg = header.as_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "ES256") {
    return Error::invalid("JWS algorithm must be ES256, got " +
                          (alg != nullptr ? boost::json::serialize(*alg) : std::string("none")));
  }
  // RFC 7515 4.1.11: a header listing critical extensions the verifier does not understand is
  // refused (this one understands none); b64 (RFC 7797) would change what the signature covers.
  if (const auto* crit = header.as_object().if_contains("crit")) {
    return Error::invalid("JWS header lists critical extensions this verifier does not understand: crit " +
                          boost::json::serialize(*crit));
  }
  if (const auto* b64 = header.as_object().if_contains("b64"); b64 != nullptr && !(b64->is_bool() && b64->as_bool())) {
    return Error::invalid("JWS header sets b64 " + boost::json::serialize(*b64) +
                          ": only the base64url-encoded payload of RFC 7515 is verified");
  }
  const auto* kid = header.as_object().if_contains("kid");
  if (kid == nullptr || !kid->is_string()) return Error::invalid("JWS header has no kid");
  const Es256Key* key = jwks.find(std::string(kid->as_string()));
  if (key == nullptr) {
    return Error::invalid("unknown key id " + std::string(kid->as_string()) +
                          " (not in the JWKS as a P-256 key for ES256 signatures)");
  }
  std::string payload;
  std::string signing_input;
  if (detached) {
    if (!payload_b64.empty()) {
      return Error::invalid("malformed JWS: a detached signature must have an empty middle part (header..signature)");
    }
    payload = std::string(*detached);
    signing_input = std::string(header_b64) + "." + base64url_encode(payload);
  } else {
    auto decoded = base64url_decode(payload_b64);
    if (!decoded) return Error::invalid("malformed JWS: its payload is not base64url");
    payload = std::move(*decoded);
    signing_input = std::string(header_b64) + "." + std::string(payload_b64);
  }
  auto sig = base64url_decode(sig_b64);
  if (!sig) return Error::invalid("malformed JWS: its signature is not base64url");
  if (!key->verify(signing_input, *sig))
    return Error::invalid("signature does not verify: the body or signature was altered");
  VerifiedJws out;
  out.kid = std::string(kid->as_string());
  if (const auto* typ = header.as_object().if_contains("typ"); typ != nullptr && typ->is_string()) {
    out.typ = std::string(typ->as_string());
  }
  out.payload = std::move(payload);
  return out;
}

}  // namespace yici::sign
