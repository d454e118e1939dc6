// The hub's signing keys and JWS (RFC 7515) over response bytes.
//
// A key ring holds one `active` key (signs), optionally a `next` key (published before it signs,
// so verifiers can fetch it ahead of a rotation) and `retired` keys (published so that responses
// signed before a rotation keep verifying). Key ids are RFC 7638 thumbprints. Immutable once
// loaded; a rotation builds a new ring. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/core/result.h"
#include "hub/sign/es256.h"

namespace yici::sign {

enum class KeyState { kActive, kNext, kRetired };

struct KeySpec {
  std::string file;  // PEM private key (PKCS#8)
  KeyState state = KeyState::kActive;
};

struct RingKey {
  std::string kid;
  KeyState state;
  std::shared_ptr<const Es256Key> key;
};

class KeyRing {
 public:
  static Result<std::shared_ptr<const KeyRing>> load(const std::vector<KeySpec>& specs);

  [[nodiscard]] const RingKey& active() const { return keys_[active_]; }
  [[nodiscard]] const std::vector<RingKey>& keys() const { return keys_; }
  // {"keys":[{"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256","yici_state"}…]}
  [[nodiscard]] std::string jwks_json() const;

  // Compact JWS with the active key: "header.payload.sig", or "header..sig" when detached.
  [[nodiscard]] Result<std::string> sign(std::string_view payload, std::string_view typ, bool detached) const;

 private:
  std::vector<RingKey> keys_;
  std::size_t active_ = 0;
};

// Public keys from a JWKS document, for verifiers.
class Jwks {
 public:
  static Result<Jwks> parse(std::string_view json);
  [[nodiscard]] const Es256Key* find(const std::string& kid) const;
  // The hub's "yici_state" of the key (active, next, retired); "" when the JWKS gives none.
  [[nodiscard]] std::string state(const std::string& kid) const;

 private:
  std::map<std::string, std::shared_ptr<const Es256Key>> keys_;
  std::map<std::string, std::string> states_;
};

struct VerifiedJws {
  std::string kid;
  std::string typ;
  std::string payload;
};

// Verifies a compact JWS. With `detached_payload`, the JWS must have an empty middle part and the
// payload is the given bytes. Errors name the reason: malformed, bad header, alg not ES256 (incl.
// "none"), unknown kid, bad signature.
Result<VerifiedJws> verify_jws(const Jwks& jwks, std::string_view jws,
                               std::optional<std::string_view> detached_payload = std::nullopt);

}  // namespace yici::sign
