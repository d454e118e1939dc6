#include "hub/sign/key_ring.h"

#include <filesystem>

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "hub/sign/base64url.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::sign {
namespace {

struct Keys {
  test::TempDir dir;
  Keys() {
    for (const char* name : {"a", "b", "c"}) {
      REQUIRE(test::run_command("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                                dir.file(std::string(name) + ".key")) == 0);
    }
  }
  std::string file(const char* name) const { return dir.file(std::string(name) + ".key"); }
};

std::string raw_to_der(const std::string& raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  REQUIRE(sig != nullptr);
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

TEST_CASE("ES256: signatures verify, are 64 bytes, and survive short R or S") {
  Keys k;
  auto key = Es256Key::load_private_pem(k.file("a")).value();
  for (int i = 0; i < 300; ++i) {  // about 1 in 128 signatures has a leading zero byte in R or S
    const std::string msg = "message " + std::to_string(i);
    auto sig = key->sign(msg);
    REQUIRE(sig.ok());
    REQUIRE(sig->size() == 64);
    REQUIRE(key->verify(msg, *sig));
    REQUIRE_FALSE(key->verify(msg + "!", *sig));
  }
  CHECK_FALSE(key->verify("x", std::string(63, 'a')));
}

TEST_CASE("ES256: a public key cannot sign, and a key on another curve is refused at load") {
  Keys k;
  auto key = Es256Key::load_private_pem(k.file("a")).value();
  auto pub = Es256Key::from_public_xy(key->x(), key->y()).value();
  auto refused = pub->sign("message");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("public key cannot sign") != std::string::npos);
  CHECK(pub->verify("message", key->sign("message").value()));
  REQUIRE(test::run_command("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out " +
                            k.dir.file("p384.key")) == 0);
  auto p384 = Es256Key::load_private_pem(k.dir.file("p384.key"));
  REQUIRE_FALSE(p384.ok());
  CHECK(p384.error().message.find("P-256") != std::string::npos);
}

TEST_CASE("ES256 agrees with openssl dgst in both directions") {
  Keys k;
  auto key = Es256Key::load_private_pem(k.file("a")).value();
  k.dir.write("input.txt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWJqZWN0IjoiMSJ9");
  REQUIRE(test::run_command("openssl pkey -in " + k.file("a") + " -pubout -out " + k.dir.file("pub.pem")) == 0);
  // Ours → openssl.
  auto sig = key->sign(test::read_file(k.dir.file("input.txt"))).value();
  k.dir.write("ours.der", raw_to_der(sig));
  std::string out;
  CHECK(test::run_command("openssl dgst -sha256 -verify " + k.dir.file("pub.pem") + " -signature " +
                              k.dir.file("ours.der") + " " + k.dir.file("input.txt"),
                          &out) == 0);
  CHECK(out.find("Verified OK") != std::string::npos);
  // openssl → ours.
  REQUIRE(test::run_command("openssl dgst -sha256 -sign " + k.file("a") + " -out " + k.dir.file("theirs.der") + " " +
                            k.dir.file("input.txt")) == 0);
  CHECK(key->verify(test::read_file(k.dir.file("input.txt")), der_to_raw(test::read_file(k.dir.file("theirs.der")))));
}

TEST_CASE("key ring: one active key, JWKS publishes active, next and retired") {
  Keys k;
  CHECK_FALSE(KeyRing::load({{k.file("a"), KeyState::kNext}}).ok());
  CHECK_FALSE(KeyRing::load({{k.file("a"), KeyState::kActive}, {k.file("b"), KeyState::kActive}}).ok());
  CHECK_FALSE(KeyRing::load({{k.file("a"), KeyState::kActive}, {k.file("a"), KeyState::kRetired}}).ok());
  CHECK_FALSE(KeyRing::load({{k.dir.file("missing.key"), KeyState::kActive}}).ok());
  // A key others can read: refused, not loaded.
  std::filesystem::permissions(k.file("c"), std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  auto readable = KeyRing::load({{k.file("c"), KeyState::kActive}});
  REQUIRE_FALSE(readable.ok());
  CHECK(readable.error().message.find("a signing key must be readable by its owner only") != std::string::npos);
  auto ring = KeyRing::load({{k.file("a"), KeyState::kActive}, {k.file("b"), KeyState::kNext}}).value();
  auto jwks = boost::json::parse(ring->jwks_json());
  const auto& keys = jwks.at("keys").as_array();
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].at("kty").as_string() == "EC");
  CHECK(keys[0].at("alg").as_string() == "ES256");
  CHECK(keys[0].at("kid").as_string() == ring->active().kid);
  CHECK(keys[0].at("kid").as_string().size() == 43);  // base64url of a SHA-256 thumbprint
  CHECK(keys[1].at("yici_state").as_string() == "next");
}

TEST_CASE("JWS: both forms verify, a response signed before a rotation verifies after it") {
  Keys k;
  auto before = KeyRing::load({{k.file("a"), KeyState::kActive}, {k.file("b"), KeyState::kNext}}).value();
  const std::string body = R"({"subject":"11010519491231002X","requester":"market-regulation"})";
  auto detached = before->sign(body, "yici-response+json", true).value();
  auto compact = before->sign(body, "yici-response+json", false).value();
  CHECK(detached.find("..") != std::string::npos);
  auto after =
      KeyRing::load(
          {{k.file("b"), KeyState::kActive}, {k.file("a"), KeyState::kRetired}, {k.file("c"), KeyState::kNext}})
          .value();
  auto jwks = Jwks::parse(after->jwks_json()).value();
  auto v1 = verify_jws(jwks, detached, body);
  REQUIRE(v1.ok());
  CHECK(v1->kid == before->active().kid);
  CHECK(v1->typ == "yici-response+json");
  auto v2 = verify_jws(jwks, compact);
  REQUIRE(v2.ok());
  CHECK(v2->payload == body);
  CHECK(verify_jws(jwks, after->sign(body, "t", false).value()).ok());
}

TEST_CASE("JWS: every forgery is rejected with its reason") {
  Keys k;
  auto ring = KeyRing::load({{k.file("a"), KeyState::kActive}}).value();
  auto other = KeyRing::load({{k.file("b"), KeyState::kActive}}).value();
  auto jwks = Jwks::parse(ring->jwks_json()).value();
  const std::string body = R"({"subject":"A"})";
  const std::string detached = ring->sign(body, "t", true).value();
  const std::string compact = ring->sign(body, "t", false).value();
  auto reason = [&](std::string_view jws, std::optional<std::string_view> payload = std::nullopt) {
    auto r = verify_jws(jwks, jws, payload);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(reason(detached, std::string_view(R"({"subject":"B"})")).find("does not verify") != std::string::npos);
  std::string flipped = compact;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(reason(flipped).find("does not verify") != std::string::npos);
  CHECK(reason(other->sign(body, "t", false).value()).find("unknown key id") != std::string::npos);
  const std::string none_header = base64url_encode(R"({"alg":"none","kid":")" + ring->active().kid + R"("})");
  CHECK(reason(none_header + "." + base64url_encode(body) + ".").find("must be ES256") != std::string::npos);
  const std::string hs_header = base64url_encode(R"({"alg":"HS256","kid":")" + ring->active().kid + R"("})");
  CHECK(reason(hs_header + "." + base64url_encode(body) + ".abc").find("must be ES256") != std::string::npos);
  CHECK(reason("onlyonepart").find("malformed") != std::string::npos);
  CHECK(reason(compact + ".extra").find("malformed") != std::string::npos);
  CHECK(reason(compact, std::string_view(body)).find("must have an empty middle part") != std::string::npos);
  CHECK(reason("e30=." + base64url_encode(body) + ".x").find("base64url") != std::string::npos);
  CHECK_FALSE(Jwks::parse("[]").ok());
  CHECK_FALSE(Jwks::parse(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"AAAA","y":"AAAA"}]})").ok());
}

TEST_CASE("JWS: a header with critical extensions or b64 is refused, though its signature is good") {
  Keys k;
  auto ring = KeyRing::load({{k.file("a"), KeyState::kActive}}).value();
  auto jwks = Jwks::parse(ring->jwks_json()).value();
  const std::string body = R"({"subject":"A"})";
  const std::string kid = ring->active().kid;
  // Signed by the ring's own key over header.payload, as the hub would sign, with extra members.
  const auto signed_with = [&](const std::string& extra) {
    const std::string header = base64url_encode(R"({"alg":"ES256","kid":")" + kid + R"(","typ":"t")" + extra + "}");
    const std::string input = header + "." + base64url_encode(body);
    return input + "." + base64url_encode(ring->active().key->sign(input).value());
  };
  REQUIRE(verify_jws(jwks, signed_with("")).ok());  // the same, without the extras, verifies
  const auto reason = [&](const std::string& extra) {
    auto r = verify_jws(jwks, signed_with(extra));
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  // RFC 7515 4.1.11: an extension the verifier does not understand, marked critical, is refused
  // (panva/jose refuses these too: two verifiers must not disagree about one token).
  CHECK(reason(R"(,"crit":["exp"],"exp":1)").find("critical extensions") != std::string::npos);
  CHECK(reason(R"(,"crit":"x")").find("critical extensions") != std::string::npos);
  CHECK(reason(R"(,"b64":false,"crit":["b64"])").find("critical extensions") != std::string::npos);
  CHECK(reason(R"(,"b64":false)").find("b64") != std::string::npos);
  CHECK(verify_jws(jwks, signed_with(R"(,"b64":true)")).ok());
}

TEST_CASE("JWKS: a key id listed twice is refused, whichever key comes first") {
  Keys k;
  auto a = KeyRing::load({{k.file("a"), KeyState::kActive}}).value();
  auto b = KeyRing::load({{k.file("b"), KeyState::kActive}}).value();
  auto key_of = [](const KeyRing& ring) { return boost::json::parse(ring.jwks_json()).at("keys").at(0).as_object(); };
  auto impostor = key_of(*b);
  impostor["kid"] = key_of(*a).at("kid");
  const std::string twice =
      boost::json::serialize(boost::json::object{{"keys", boost::json::array{key_of(*a), impostor}}});
  auto parsed = Jwks::parse(twice);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message.find("is listed twice") != std::string::npos);
}

TEST_CASE("JWKS: a key published for another use or algorithm does not verify signatures") {
  Keys k;
  auto ring = KeyRing::load({{k.file("a"), KeyState::kActive}}).value();
  const std::string body = R"({"subject":"11010519491231002X"})";
  const std::string jws = ring->sign(body, "yici-response+json", true).value();
  const auto published = boost::json::parse(ring->jwks_json()).at("keys").at(0).as_object();
  const auto with = [&](const char* name, boost::json::value value) {
    auto key = published;
    key[name] = std::move(value);
    return Jwks::parse(boost::json::serialize(boost::json::object{{"keys", boost::json::array{key}}})).value();
  };
  CHECK(verify_jws(with("use", "sig"), jws, body).ok());
  CHECK(verify_jws(with("key_ops", boost::json::array{"verify"}), jws, body).ok());
  for (const auto& jwks : {with("use", "enc"), with("alg", "ES384"), with("alg", "none"),
                           with("key_ops", boost::json::array{"encrypt"}), with("key_ops", "verify")}) {
    const auto r = verify_jws(jwks, jws, body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("unknown key id") != std::string::npos);
  }
}

}  // namespace
}  // namespace yici::sign
